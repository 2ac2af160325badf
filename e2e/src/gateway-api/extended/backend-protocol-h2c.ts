// HTTPRouteBackendProtocolH2C: a backendRef to a Service port with appProtocol kubernetes.io/h2c (infra-backend-v1's
// second port) reaches the pod over HTTP/2 with prior knowledge, while the client spoke HTTP/1.1.
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import { expectAnswer } from './answers.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute, INFRA_V1_H2C_PORT } from './routes.js';

const route = extendedRoute('h2c-backend', [{ backendRefs: [{ name: 'infra-backend-v1', port: INFRA_V1_H2C_PORT }] }]);
const host = checkHostname('h2c-backend');

export const backendProtocolH2c: ExtendedCheck = {
  feature: 'HTTPRouteBackendProtocolH2C',
  description: 'a Service port with appProtocol kubernetes.io/h2c is reached over h2c',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectAnswer(context, address, { host, path: '/over-h2c?n=1' }, 'infra-backend-v1 answers, having seen HTTP/2.0', (captured) => {
      if (captured.statusCode !== 200) return `expected status 200, got ${captured.statusCode}`;
      const echo = captured.echo;
      if (echo === null) return 'the body is not an echo backend\'s JSON';
      if (echo.proto !== 'HTTP/2.0') return `the backend saw ${echo.proto}, not HTTP/2.0`;
      if (!echo.pod.startsWith('infra-backend-v1') || echo.namespace !== INFRA_NS) return `answered by ${echo.namespace}/${echo.pod}`;
      if (echo.path !== '/over-h2c?n=1' || echo.host !== host) return `the backend saw ${echo.host}${echo.path}`;
      return null;
    });
  },
};
