// Smoke test of the conformance cluster on a real kube-apiserver: the CRDs, the base manifests and every test
// manifest apply cleanly (their CEL rules evaluated by the real server, which refuses what they forbid), the echo
// pods answer at the addresses their EndpointSlices give, and the TLS Secrets the base Gateways name exist.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason } from '../kube-real/real-api-server.js';
import { CORE_HTTPROUTE_TESTS } from './all-tests.js';
import { INFRA_NS, SAME_NAMESPACE_GATEWAY } from './conformance-test.js';
import { GATEWAY_API, gatewayAndRoutesAccepted, routeResolvedRefs, Unmet } from './expectations.js';
import { gatewayApiDir, startCluster, type Cluster } from './harness.js';
import { roundTrip } from './round-trip.js';

// Pod addresses are added to lo, which needs CAP_NET_ADMIN (root here).
const skip = skipReason !== false ? skipReason : process.getuid?.() !== 0 ? 'the echo pods need CAP_NET_ADMIN to add their addresses (run as root)' : false;

let cluster: Cluster | undefined;
before(async () => {
  if (skip !== false) return;
  cluster = await startCluster({ gatewayClassName: 'novagate', tenantNamespace: 'gateway-conformance-infra', tenantName: 'conformance' }, () => undefined);
});
after(async () => {
  await cluster?.stop();
});

test('there is one test module per manifest of the shared tests folder, 26 in all', () => {
  const manifests = readdirSync(join(gatewayApiDir(), 'tests')).sort();
  assert.equal(manifests.length, 26);
  assert.deepEqual(CORE_HTTPROUTE_TESTS.map((test) => test.manifest).sort(), manifests);
  assert.equal(new Set(CORE_HTTPROUTE_TESTS.map((test) => test.shortName)).size, 26);
  assert.ok(CORE_HTTPROUTE_TESTS.every((test) => test.run !== undefined), 'every test has its checks');
});

test('the base manifests are applied with the class substituted, and the TLS Secrets their Gateways name exist', { skip }, async () => {
  const gateways = JSON.parse(await cluster!.kubectl(['get', 'gateways', '-A', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { gatewayClassName: string } }[] };
  assert.deepEqual(gateways.items.map((gateway) => gateway.metadata.name).sort(), ['all-namespaces', 'backend-namespaces', 'same-namespace', 'same-namespace-with-https-listener']);
  assert.ok(gateways.items.every((gateway) => gateway.spec.gatewayClassName === 'novagate'));
  const secret = await cluster!.kube.get<{ type: string; data: Record<string, string> }>('v1', 'Secret', 'tls-validity-checks-certificate', 'gateway-conformance-infra');
  assert.equal(secret?.type, 'kubernetes.io/tls');
  assert.match(Buffer.from(secret!.data['tls.crt']!, 'base64').toString('utf8'), /^-----BEGIN CERTIFICATE-----/);
  const gatewayClass = await cluster!.kube.get<{ spec: { controllerName: string; parametersRef: unknown } }>('gateway.networking.k8s.io/v1', 'GatewayClass', 'novagate');
  assert.deepEqual(gatewayClass?.spec, {
    controllerName: 'novagate.dev/gateway-controller',
    parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'gateway-conformance-infra', name: 'conformance' },
  });
});

test("each echo pod answers at the address its Service's EndpointSlice gives, saying which pod it is", { skip }, async () => {
  const slices = await cluster!.kube.list<{ metadata: { labels: Record<string, string> }; endpoints: { addresses: string[]; targetRef: { name: string } }[]; ports: { port: number }[] }>(
    'discovery.k8s.io/v1',
    'EndpointSlice',
    'gateway-conformance-infra',
  );
  const slice = slices.find((candidate) => candidate.metadata.labels['kubernetes.io/service-name'] === 'infra-backend-v1');
  assert.ok(slice);
  assert.equal(slice.endpoints.length, 2);
  for (const endpoint of slice.endpoints) {
    const answer = await roundTrip(`${endpoint.addresses[0]}:${slice.ports[0]!.port}`, { path: '/probe' }, undefined, 5_000);
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.echo?.pod, endpoint.targetRef.name);
    assert.equal(answer.echo?.namespace, 'gateway-conformance-infra');
  }
});

test('every test manifest applies unchanged and is deleted cleanly', { skip }, async () => {
  for (const conformanceTest of CORE_HTTPROUTE_TESTS) {
    await cluster!.applyTestManifest(conformanceTest.manifest);
    await cluster!.deleteTestManifest(conformanceTest.manifest);
  }
  const routes = JSON.parse(await cluster!.kubectl(['get', 'httproutes', '-A', '-o', 'json'])) as { items: unknown[] };
  assert.deepEqual(routes.items, []);
});

test("the real server evaluates the CRDs' CEL rules: a PathPrefix not starting with / is refused", { skip }, async () => {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'bad-path', namespace: 'gateway-conformance-infra' },
    spec: { parentRefs: [{ name: 'same-namespace' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'no-slash' } }] }] },
  };
  await assert.rejects(cluster!.kubectl(['apply', '-f', '-'], JSON.stringify(route)), /must be an absolute path/);
});

test("the status checks accept what a conformant controller writes (the real CRD schema) and refuse stale conditions", { skip }, async () => {
  const kube = cluster!.kube;
  await cluster!.applyTestManifest('httproute-simple-same-namespace.yaml');
  try {
    const now = new Date().toISOString();
    const condition = (type: string, reason: string, generation: number) => ({ type, status: 'True', reason, message: '', lastTransitionTime: now, observedGeneration: generation });
    const gateway = await kube.get<{ metadata: { generation: number } }>(GATEWAY_API, 'Gateway', 'same-namespace', INFRA_NS);
    const gatewayGeneration = gateway!.metadata.generation;
    await kube.mergePatch(GATEWAY_API, 'Gateway', 'same-namespace', INFRA_NS, {
      status: {
        addresses: [{ type: 'IPAddress', value: '198.18.255.1' }],
        conditions: [condition('Accepted', 'Accepted', gatewayGeneration), condition('Programmed', 'Programmed', gatewayGeneration)],
        listeners: [
          {
            name: 'http',
            supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
            attachedRoutes: 1,
            conditions: ['Accepted', 'ResolvedRefs', 'Programmed'].map((type) => condition(type, type, gatewayGeneration)),
          },
        ],
      },
    }, 'status');
    const route = await kube.get<{ metadata: { generation: number } }>(GATEWAY_API, 'HTTPRoute', 'gateway-conformance-infra-test', INFRA_NS);
    const parentStatus = (generation: number) => ({
      status: {
        parents: [
          {
            parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' },
            controllerName: 'novagate.dev/gateway-controller',
            conditions: [condition('Accepted', 'Accepted', generation), condition('ResolvedRefs', 'ResolvedRefs', generation)],
          },
        ],
      },
    });
    await kube.mergePatch(GATEWAY_API, 'HTTPRoute', 'gateway-conformance-infra-test', INFRA_NS, parentStatus(route!.metadata.generation), 'status');
    const context = (ms: number) => ({ kube, controllerName: 'novagate.dev/gateway-controller', deadline: Date.now() + ms, pollMs: 100, consecutiveSuccesses: 3 });
    const routeName = { namespace: INFRA_NS, name: 'gateway-conformance-infra-test' };
    assert.equal(await gatewayAndRoutesAccepted(context(5_000), SAME_NAMESPACE_GATEWAY, [routeName]), '198.18.255.1:80');
    await routeResolvedRefs(context(5_000), routeName, SAME_NAMESPACE_GATEWAY);
    await assert.rejects(
      gatewayAndRoutesAccepted({ ...context(5_000), controllerName: 'example.com/other' }, SAME_NAMESPACE_GATEWAY, [routeName]).then(() => undefined),
      (error: unknown) => error instanceof Unmet && /has parents/.test(error.message),
      "another controller's acceptance is not ours",
    );
    await kube.mergePatch(GATEWAY_API, 'HTTPRoute', 'gateway-conformance-infra-test', INFRA_NS, parentStatus(route!.metadata.generation - 1), 'status');
    await assert.rejects(routeResolvedRefs(context(1_000), routeName, SAME_NAMESPACE_GATEWAY), (error: unknown) => error instanceof Unmet && /stale/.test(error.message));
  } finally {
    await cluster!.deleteTestManifest('httproute-simple-same-namespace.yaml');
  }
});
