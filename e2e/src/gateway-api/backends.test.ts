import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointSliceFor, planEchoPods, podObjects } from './backends.js';
import { loopbackAddresses } from './pod-addresses.js';
import { gatewayApiDir, manifestObjects, substituteBaseManifests } from './harness.js';

const baseText = readFileSync(join(gatewayApiDir(), 'base-manifests.yaml'), 'utf8');
const base = manifestObjects(substituteBaseManifests(baseText, 'novagate'));

test('the base manifests change only where {GATEWAY_CLASS_NAME} stood', () => {
  const substituted = substituteBaseManifests(baseText, 'novagate');
  assert.ok(!substituted.includes('{GATEWAY_CLASS_NAME}'));
  assert.equal(substituted.replaceAll('"novagate"', '"{GATEWAY_CLASS_NAME}"'), baseText);
  const gateways = base.filter((object) => object.kind === 'Gateway');
  assert.ok(gateways.length >= 4);
  for (const gateway of gateways) assert.equal((gateway.spec as { gatewayClassName: string }).gatewayClassName, 'novagate');
});

test("one echo pod per replica of every echo-basic Deployment in plain HTTP mode, each on its own address and echo-basic's port", () => {
  const pods = planEchoPods(base, '198.18.0.1');
  const byDeployment = (name: string) => pods.filter((pod) => pod.deployment === name);
  assert.equal(byDeployment('infra-backend-v1').length, 2);
  for (const name of ['infra-backend-v2', 'infra-backend-v3', 'app-backend-v1', 'app-backend-v2', 'web-backend']) assert.ok(byDeployment(name).length >= 1, name);
  assert.equal(byDeployment('grpc-infra-backend-v1').length, 0, 'gRPC-mode echo-basic answers only gRPC');
  assert.equal(byDeployment('coredns').length, 0, 'not echo-basic');
  assert.equal(new Set(pods.map((pod) => pod.address)).size, pods.length, 'no two pods share an address');
  assert.equal(pods[0]!.address, '198.18.0.1');
  assert.ok(pods.every((pod) => pod.port === 3000 && pod.h2cPort === 3001));
  for (const pod of pods) assert.match(pod.name, new RegExp(`^${pod.deployment}-[a-z0-9]+-[a-z0-9]{5}$`), 'named like a ReplicaSet pod, so upstream prefix checks see its Deployment');
  const web = byDeployment('web-backend')[0]!;
  assert.equal(web.namespace, 'gateway-conformance-web-backend');
});

test("EndpointSlices list the selected pods' addresses under the Service's port names, for the HTTP, WebSocket and h2c ports the stand-ins serve", () => {
  const pods = planEchoPods(base, '198.18.0.1');
  const service = base.find((object) => object.kind === 'Service' && object.metadata.name === 'infra-backend-v1')!;
  const slice = endpointSliceFor(service, pods) as {
    metadata: { namespace: string; labels: Record<string, string> };
    addressType: string;
    endpoints: { addresses: string[]; conditions: { ready: boolean }; targetRef: { name: string } }[];
    ports: { name: string; port: number }[];
  };
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'infra-backend-v1');
  // The endpointslice controller's manager: the operator takes no other slices for a Service with a selector.
  assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata.namespace, 'gateway-conformance-infra');
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(
    slice.endpoints.map((endpoint) => endpoint.targetRef.name),
    pods.filter((pod) => pod.deployment === 'infra-backend-v1').map((pod) => pod.name),
  );
  assert.ok(slice.endpoints.every((endpoint) => endpoint.conditions.ready));
  assert.deepEqual(slice.ports, [
    { name: 'first-port', port: 3000, protocol: 'TCP' },
    { name: 'second-port', port: 3001, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
    { name: 'third-port', port: 3000, protocol: 'TCP', appProtocol: 'kubernetes.io/ws' },
  ]);
  const unnamed = endpointSliceFor(base.find((object) => object.kind === 'Service' && object.metadata.name === 'infra-backend-v2')!, pods) as { ports: { name: string }[] };
  assert.deepEqual(unnamed.ports.map((port) => port.name), ['']);
});

test('Service ports in a mode the stand-ins do not serve (TLS, gRPC, h2c on the HTTP port, UDP) are left out of the EndpointSlice', () => {
  const pods = planEchoPods(base, '198.18.0.1');
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'modes', namespace: 'gateway-conformance-infra' },
    spec: {
      selector: { app: 'infra-backend-v1' },
      ports: [
        { name: 'tls', port: 443, targetPort: 8443 },
        { name: 'grpc', port: 8080, targetPort: 3000, appProtocol: 'kubernetes.io/grpc' },
        { name: 'h2c-on-http', port: 8081, targetPort: 3000, appProtocol: 'kubernetes.io/h2c' },
        { name: 'plain-on-h2c', port: 8082, targetPort: 3001 },
        { name: 'udp', port: 8083, targetPort: 3000, protocol: 'UDP' },
        { name: 'served', port: 8084, targetPort: 3000, appProtocol: 'http' },
      ],
    },
  };
  const slice = endpointSliceFor(service, pods) as { ports: { name: string }[] };
  assert.deepEqual(slice.ports.map((port) => port.name), ['served']);
});

test('a Service without a selector, or selecting no stand-in pod, gets no EndpointSlice from the stand-in controller', () => {
  const pods = planEchoPods(base, '198.18.0.1');
  assert.equal(endpointSliceFor({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'gateway-conformance-infra' }, spec: { ports: [{ port: 8080 }] } }, pods), null);
  assert.equal(endpointSliceFor({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'gateway-conformance-infra' }, spec: { selector: { app: 'nothing' } } }, pods), null);
  assert.equal(endpointSliceFor({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'gateway-conformance-infra' }, spec: { selector: {} } }, pods), null);
});

test('a stand-in pod is Running and Ready at its address, as a kubelet would report it', () => {
  const [pod] = planEchoPods(base, '198.18.0.1');
  const { pod: object, status } = podObjects(pod!, new Date('2026-11-30T00:00:00Z'));
  assert.deepEqual((object as { metadata: unknown }).metadata, { name: pod!.name, namespace: pod!.namespace, labels: pod!.labels });
  assert.equal(status.phase, 'Running');
  assert.deepEqual(status.podIPs, [{ ip: '198.18.0.1' }]);
});

test('the pod addresses of lo are read from `ip -o addr` output', () => {
  const output = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n1: lo    inet 198.18.4.2/32 scope global lo\\       valid_lft forever\n';
  assert.deepEqual([...loopbackAddresses(output)], ['127.0.0.1', '198.18.4.2']);
});
