// HTTPRouteWeight: 500 requests split 70/30/0 over infra-backend-v1/v2/v3 within ±5 points (up to 10 tries, as upstream).
import { compareRoundTrip, roundTrip, type ExpectedResponse } from '../round-trip.js';
import { expectResponse, gatewayAndRoutesAccepted, routeResolvedRefs, Unmet } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';
import { weightedDistributionError } from '../weighted-distribution.js';

const TOTAL_REQUESTS = 500;
const CONCURRENCY = 10;
const MAX_TRIES = 10;

export const weight: ConformanceTest = {
  shortName: 'HTTPRouteWeight',
  description: 'An HTTPRoute with weighted backends',
  manifest: 'httproute-weight.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('weighted-backends');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const expected: ExpectedResponse = { request: { path: '/' }, response: { statusCodes: [200] }, namespace: INFRA_NS };
    await expectResponse(context, address, expected);
    const weights = { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0 };
    let last = '';
    for (let attempt = 1; attempt <= MAX_TRIES && Date.now() < context.deadline; attempt++) {
      const pods: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < TOTAL_REQUESTS) {
          next++;
          const unique: ExpectedResponse = { ...expected, request: { ...expected.request, headers: { 'X-Jitter': Math.random().toString(36).slice(2) } } };
          const captured = await roundTrip(address, unique.request, undefined, 10_000);
          const mismatch = compareRoundTrip(unique, captured);
          if (mismatch !== null) throw new Unmet(`weighted request: ${mismatch}`);
          pods.push(captured.echo?.pod ?? '');
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const error = weightedDistributionError(pods, weights);
      if (error === null) return;
      last = `try ${attempt}: ${error}`;
    }
    throw new Unmet(`traffic split matches the weights 70/30/0; ${last || 'no try finished before the deadline'}`);
  },
};
