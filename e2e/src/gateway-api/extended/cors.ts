// HTTPRouteCORS: the CORS filter answers preflights itself (no request reaches the backend) for allowed origins,
// with the allowed methods, headers, credentials and max age; adds Access-Control-Allow-Origin (and the exposed
// headers) to actual requests from allowed origins, wildcard subdomains included; and gives other origins, or
// requests without an Origin, no CORS headers at all.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import { expectAnswer, statusAndHeaders } from './answers.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('cors', [
  {
    filters: [
      {
        type: 'CORS',
        cors: {
          allowOrigins: ['https://app.shop.example', 'https://*.partners.example'],
          allowMethods: ['GET', 'PUT'],
          allowHeaders: ['X-Cart-Id'],
          exposeHeaders: ['X-Cart-Total'],
          allowCredentials: true,
          maxAge: 600,
        },
      },
    ],
    backendRefs: [{ name: 'infra-backend-v1' }],
  },
]);
const host = checkHostname('cors');
const preflight = (origin: string) => ({
  host,
  path: '/cart',
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-cart-id' },
});

export const cors: ExtendedCheck = {
  feature: 'HTTPRouteCORS',
  description: 'the CORS filter answers preflights and marks responses for allowed origins only',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const answeredByGateway = (judge: ReturnType<typeof statusAndHeaders>) => (captured: Parameters<typeof judge>[0]) =>
      captured.echo !== null ? `the preflight reached the backend (${captured.echo.pod})` : judge(captured);
    await expectAnswer(
      context,
      address,
      preflight('https://app.shop.example'),
      'a preflight from an allowed origin is answered by the gateway with what the filter allows',
      answeredByGateway(
        statusAndHeaders(204, {
          'access-control-allow-origin': 'https://app.shop.example',
          'access-control-allow-methods': 'GET, PUT',
          'access-control-allow-headers': 'X-Cart-Id',
          'access-control-allow-credentials': 'true',
          'access-control-max-age': '600',
        }),
      ),
    );
    await expectAnswer(
      context,
      address,
      preflight('https://shop.partners.example'),
      'a preflight from a subdomain of a wildcard origin is allowed, answered with its own origin',
      answeredByGateway(statusAndHeaders(204, { 'access-control-allow-origin': 'https://shop.partners.example' })),
    );
    await expectAnswer(
      context,
      address,
      preflight('https://evil.example'),
      'a preflight from another origin gets no CORS permission',
      answeredByGateway((captured) =>
        captured.headers['access-control-allow-origin'] !== undefined || captured.headers['access-control-allow-methods'] !== undefined
          ? `expected no Access-Control-Allow-* headers, got ${JSON.stringify(captured.headers)}`
          : null,
      ),
    );
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    await expectResponses(context, address, [
      {
        request: { host, path: '/cart', headers: { Origin: 'https://app.shop.example' } },
        response: { headers: { 'Access-Control-Allow-Origin': 'https://app.shop.example', 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Expose-Headers': 'X-Cart-Total' } },
        ...v1,
      },
      { request: { host, path: '/cart', headers: { Origin: 'https://evil.example' } }, response: { absentHeaders: ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials'] }, ...v1 },
      { request: { host, path: '/cart' }, response: { absentHeaders: ['Access-Control-Allow-Origin'] }, ...v1 },
    ]);
  },
};
