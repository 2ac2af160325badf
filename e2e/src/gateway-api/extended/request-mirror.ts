// HTTPRouteRequestMirror: the client is answered by the rule's backend only, and a copy of each request (method,
// path with its query, headers) reaches the mirror's backend, whose answer nobody sees: the copy is found in the
// echo pods' request log, by a marker unique to this run.
import { randomUUID } from 'node:crypto';
import { eventually, expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { backendOfPod } from '../weighted-distribution.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('mirror', [
  {
    matches: [{ path: { type: 'PathPrefix', value: '/shadowed' } }],
    filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'infra-backend-v2', port: 8080 } } }],
    backendRefs: [{ name: 'infra-backend-v1' }],
  },
]);
const host = checkHostname('mirror');

export const requestMirror: ExtendedCheck = {
  feature: 'HTTPRouteRequestMirror',
  description: "RequestMirror copies each request to the mirror's backend while the rule's backend answers",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const marker = randomUUID();
    const path = `/shadowed/${marker}?copy=yes`;
    await expectResponses(context, address, [
      { request: { host, path, method: 'PUT', headers: { 'X-Mirror-Probe': marker } }, expectedRequest: { method: 'PUT', path }, backend: 'infra-backend-v1', namespace: INFRA_NS },
    ]);
    await eventually(context, `infra-backend-v2 received copies of PUT ${path} with X-Mirror-Probe, and infra-backend-v1 the originals`, async () => {
      const seen = context.echoRequests().filter((request) => request.path === path);
      const copies = seen.filter((request) => backendOfPod(request.pod) === 'infra-backend-v2');
      const originals = seen.filter((request) => backendOfPod(request.pod) === 'infra-backend-v1');
      const describe = `${copies.length} at infra-backend-v2, ${originals.length} at infra-backend-v1, others at ${seen.filter((r) => !copies.includes(r) && !originals.includes(r)).map((r) => r.pod).join(',') || 'none'}`;
      const complete = copies.every((copy) => copy.method === 'PUT' && copy.headers['X-Mirror-Probe']?.join(',') === marker && copy.namespace === INFRA_NS);
      // Every request sent reached infra-backend-v1, and (the mirror sending all of them) as many copies reached v2.
      return copies.length > 0 && copies.length === originals.length && complete && copies.length + originals.length === seen.length
        ? { ok: true, value: undefined }
        : { ok: false, seen: describe };
    });
  },
};
