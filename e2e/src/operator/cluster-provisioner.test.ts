// The cluster provisioner on a real kube-apiserver, with the chart's operator RBAC: per Gateway a Deployment and a
// Service owned by the Gateway (labels, ports, the key Secret, the chart's security context), status.addresses from
// the Service, GatewayParameters applied, an unchanged Gateway leaving the objects alone and a changed one updating them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { createClusterProvisioner, InvalidParametersError, ProvisionRefusedError, type DataPlaneDefaults, type GatewayProvisioner, type ProvisionedGateway } from '@novagate/operator/provisioner';
import { kubectlFor, kubectlOk, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { CRDS_DIR } from './harness.js';
import { loadKubeConfig, operatorKubeConfig } from './real-kube.js';

const GATEWAY_API_CRDS = [fileURLToPath(new URL('../../../../shared/gateway-api/standard-install.yaml', import.meta.url)), '/work/shared/gateway-api/standard-install.yaml'];
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const DEFAULTS: DataPlaneDefaults = {
  image: 'registry.example.com/novagate/gateway:1.2.3',
  replicas: 2,
  serviceType: 'ClusterIP',
  resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } },
};

let server: RealApiServer | undefined;
let kubectl: Kubectl;
let provisioner: GatewayProvisioner;
const skip = { skip: skipReason };

before(async () => {
  if (skipReason !== false) return;
  server = await startRealApiServer();
  kubectl = kubectlFor(server.kubeconfigPath);
  await kubectlOk(kubectl, ['apply', '--server-side', '-f', GATEWAY_API_CRDS.find((path) => existsSync(path)) ?? '']);
  await kubectlOk(kubectl, ['apply', '-f', CRDS_DIR]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/gateways.gateway.networking.k8s.io', 'crd/gatewayparameters.novagate.dev']);
  // The chart's operator RBAC: what the provisioner does must be allowed to the operator's ServiceAccount.
  const kubeConfig: KubeConfig = await operatorKubeConfig(kubectl, loadKubeConfig(server.kubeconfigPath));
  provisioner = createClusterProvisioner({ kubeConfig, defaults: DEFAULTS, controlPlaneUrl: 'wss://novagate-control-plane.novagate.svc:8443', controlPlaneCaPem: CA_PEM });
});
after(async () => {
  kubectl?.dispose();
  await server?.stop();
});

const gatewayYaml = (name: string, listeners: { name: string; port: number }[], parameters?: string) =>
  JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'default' },
    spec: {
      gatewayClassName: 'novagate',
      listeners: listeners.map((listener) => ({ ...listener, protocol: 'HTTP' })),
      ...(parameters === undefined ? {} : { infrastructure: { parametersRef: { group: 'novagate.dev', kind: 'GatewayParameters', name: parameters } } }),
    },
  });

async function applyGateway(name: string, listeners: { name: string; port: number }[], parameters?: string): Promise<ProvisionedGateway> {
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayYaml(name, listeners, parameters));
  return JSON.parse(await kubectlOk(kubectl, ['get', 'gateway', name, '-o', 'json'])) as ProvisionedGateway;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads Kubernetes objects freely
async function get(kind: string, name: string): Promise<any> {
  return JSON.parse(await kubectlOk(kubectl, ['get', kind, name, '-o', 'json']));
}

async function exists(kind: string, name: string): Promise<boolean> {
  const listed = JSON.parse(await kubectlOk(kubectl, ['get', kind, '-o', 'json'])) as { items: { metadata: { name: string } }[] };
  return listed.items.some((item) => item.metadata.name === name);
}

const key = 'gw_00000000-0000-4000-8000-000000000001_0123456789abcdef0123456789abcdef';

test('a Gateway gets a Deployment and a Service it owns, with the chart defaults, its listeners as ports and the ClusterIP as its address', skip, async () => {
  const gateway = await applyGateway('web', [{ name: 'http', port: 80 }, { name: 'alt', port: 8080 }]);
  const result = await provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/web' });
  const deployment = await get('deployment', 'web-novagate-gateway');
  const service = await get('service', 'web-novagate-gateway');
  for (const object of [deployment, service, await get('configmap', 'web-novagate-gateway-ca')]) {
    assert.deepEqual(object.metadata.ownerReferences, [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'web', uid: gateway.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(object.metadata.labels['app.kubernetes.io/name'], 'novagate-gateway');
    assert.equal(object.metadata.labels['gateway.networking.k8s.io/gateway-name'], 'web');
  }
  assert.equal(deployment.spec.replicas, 2);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.equal(container.image, DEFAULTS.image);
  assert.deepEqual(container.resources, DEFAULTS.resources);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.ports.map((port: { containerPort: number }) => port.containerPort), [9100, 10080, 8080], 'port 80 binds 10080 in the non-root container');
  const env = Object.fromEntries(container.env.map((entry: { name: string; value?: string; valueFrom?: unknown }) => [entry.name, entry.value ?? entry.valueFrom]));
  assert.equal(env.GATEWAY_NAME, 'default/web');
  assert.equal(env.CONTROL_PLANE_URL, 'wss://novagate-control-plane.novagate.svc:8443');
  assert.deepEqual(env.GATEWAY_API_KEY, { secretKeyRef: { name: 'web-novagate-gateway-key', key: 'apiKey' } });
  assert.equal(env.CONTROL_PLANE_CA_FILE, '/etc/novagate/control-plane-ca/ca.crt');
  assert.doesNotMatch(JSON.stringify(deployment), new RegExp(key), 'the key itself is never in the Deployment');
  assert.equal(service.spec.type, 'ClusterIP');
  assert.deepEqual(
    service.spec.ports.map((port: { port: number; targetPort: number }) => [port.port, port.targetPort]),
    [[80, 10080], [8080, 8080]],
  );
  assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
  assert.match(service.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(result.addresses, [{ type: 'IPAddress', value: service.spec.clusterIP }]);
});

test('ensure with nothing changed leaves the objects alone; a changed listener or key updates them', skip, async () => {
  const gateway = await applyGateway('web', [{ name: 'http', port: 80 }, { name: 'alt', port: 8080 }]);
  const before = (await get('deployment', 'web-novagate-gateway')).metadata.resourceVersion;
  await provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/web' });
  assert.equal((await get('deployment', 'web-novagate-gateway')).metadata.resourceVersion, before);
  const changed = await applyGateway('web', [{ name: 'https', port: 443 }]);
  const annotationBefore = (await get('deployment', 'web-novagate-gateway')).spec.template.metadata.annotations['novagate.dev/gateway-api-key-hash'];
  await provisioner.ensure(changed, { apiKey: key.replace(/f$/, 'e'), gatewayName: 'default/web' });
  const service = await get('service', 'web-novagate-gateway');
  assert.deepEqual(service.spec.ports.map((port: { port: number; targetPort: number }) => [port.port, port.targetPort]), [[443, 10443]]);
  const deployment = await get('deployment', 'web-novagate-gateway');
  assert.deepEqual(deployment.spec.template.spec.containers[0].ports.map((port: { containerPort: number }) => port.containerPort), [9100, 10443]);
  assert.notEqual(deployment.spec.template.metadata.annotations['novagate.dev/gateway-api-key-hash'], annotationBefore, 'a new key rolls the pods');
});

test('GatewayParameters named by the Gateway set image, replicas, resources, Service type, nodeSelector and tolerations', skip, async () => {
  await kubectlOk(kubectl, ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'novagate.dev/v1alpha1',
    kind: 'GatewayParameters',
    metadata: { name: 'big', namespace: 'default' },
    spec: {
      image: 'registry.example.com/novagate/gateway:canary',
      replicas: 5,
      serviceType: 'LoadBalancer',
      resources: { requests: { cpu: 1, memory: '1Gi' } },
      nodeSelector: { 'node-role/edge': 'true' },
      tolerations: [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }],
    },
  }));
  const gateway = await applyGateway('edge', [{ name: 'http', port: 80 }], 'big');
  await provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/edge' });
  const deployment = await get('deployment', 'edge-novagate-gateway');
  assert.equal(deployment.spec.replicas, 5);
  assert.equal(deployment.spec.template.spec.containers[0].image, 'registry.example.com/novagate/gateway:canary');
  assert.deepEqual(deployment.spec.template.spec.containers[0].resources, { requests: { cpu: '1', memory: '1Gi' } });
  assert.deepEqual(deployment.spec.template.spec.nodeSelector, { 'node-role/edge': 'true' });
  assert.deepEqual(deployment.spec.template.spec.tolerations, [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal((await get('service', 'edge-novagate-gateway')).spec.type, 'LoadBalancer');
  // A changed GatewayParameters is applied at the next ensure.
  await kubectlOk(kubectl, ['patch', 'gatewayparameters', 'big', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
  await provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/edge' });
  assert.equal((await get('deployment', 'edge-novagate-gateway')).spec.replicas, 3);
});

test('status.addresses follow the Service: LoadBalancer ingress IPs and hostnames once the load balancer reports them', skip, async () => {
  const gateway = await applyGateway('edge', [{ name: 'http', port: 80 }], 'big');
  await kubectlOk(kubectl, ['patch', 'service', 'edge-novagate-gateway', '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"},{"hostname":"lb.example.com"}]}}}']);
  const result = await provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/edge' });
  assert.deepEqual(result.addresses, [{ type: 'IPAddress', value: '203.0.113.7' }, { type: 'Hostname', value: 'lb.example.com' }]);
});

test('a parametersRef to a missing GatewayParameters or another kind is refused in words, creating nothing', skip, async () => {
  const missing = await applyGateway('lost', [{ name: 'http', port: 80 }], 'nowhere');
  await assert.rejects(provisioner.ensure(missing, { apiKey: key, gatewayName: 'default/lost' }), (error: Error) => error instanceof InvalidParametersError && /GatewayParameters nowhere not found in namespace default/.test(error.message));
  assert.equal(await exists('deployment', 'lost-novagate-gateway'), false);
  const otherKind: ProvisionedGateway = { ...missing, spec: { ...missing.spec, infrastructure: { parametersRef: { group: '', kind: 'ConfigMap', name: 'x' } } } };
  await assert.rejects(provisioner.ensure(otherKind, { apiKey: key, gatewayName: 'default/lost' }), /must name a novagate.dev GatewayParameters, not \/ConfigMap/);
});

test('release deletes the Deployment, the Service and the CA ConfigMap, and a second release is harmless', skip, async () => {
  const gateway = await applyGateway('web', [{ name: 'https', port: 443 }]);
  await provisioner.release(gateway);
  assert.equal(await exists('deployment', 'web-novagate-gateway'), false);
  assert.equal(await exists('service', 'web-novagate-gateway'), false);
  assert.equal(await exists('configmap', 'web-novagate-gateway-ca'), false);
  await provisioner.release(gateway);
});

test("a Gateway whose data plane name is taken by an object it does not own (the chart's own gateway) is refused, and release leaves that object", skip, async () => {
  // The chart's release `prod` runs its gateway as Service and Deployment prod-novagate-gateway.
  const chartLabels = { 'app.kubernetes.io/instance': 'prod', 'app.kubernetes.io/name': 'novagate' };
  await kubectlOk(kubectl, ['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'prod-novagate-gateway', namespace: 'default', labels: chartLabels }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8000 }], selector: chartLabels } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'prod-novagate-gateway', namespace: 'default', labels: chartLabels },
        spec: { replicas: 1, selector: { matchLabels: chartLabels }, template: { metadata: { labels: chartLabels }, spec: { containers: [{ name: 'gateway', image: 'chart/gateway:9' }] } } },
      },
    ],
  }));
  const before = await get('deployment', 'prod-novagate-gateway');
  const gateway = await applyGateway('prod', [{ name: 'http', port: 8080 }]);
  await assert.rejects(provisioner.ensure(gateway, { apiKey: key, gatewayName: 'default/prod' }), (error: Error) =>
    error instanceof ProvisionRefusedError && /Deployment prod-novagate-gateway in namespace default exists and is not owned by this Gateway/.test(error.message));
  const after = await get('deployment', 'prod-novagate-gateway');
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, 'the chart\'s Deployment is untouched');
  assert.equal(after.spec.template.spec.containers[0].image, 'chart/gateway:9');
  assert.deepEqual((await get('service', 'prod-novagate-gateway')).spec.selector, chartLabels);
  await provisioner.release(gateway);
  assert.equal(await exists('deployment', 'prod-novagate-gateway'), true, 'release never deletes what the Gateway does not own');
  assert.equal(await exists('service', 'prod-novagate-gateway'), true);
});

test('the API server refuses a GatewayParameters with a bad Service type, replicas out of range or a malformed quantity, naming the field', skip, async () => {
  const attempt = async (spec: Record<string, unknown>) => {
    const body = JSON.stringify({ apiVersion: 'novagate.dev/v1alpha1', kind: 'GatewayParameters', metadata: { name: 'bad', namespace: 'default' }, spec });
    return kubectl.run(['apply', '-f', '-'], body);
  };
  for (const [spec, field] of [
    [{ serviceType: 'External' }, /spec\.serviceType: Unsupported value: "External"/],
    [{ replicas: 101 }, /spec\.replicas: Invalid value: 101/],
    [{ resources: { requests: { cpu: 'lots' } } }, /spec\.resources\.requests\.cpu/],
    [{ tolerations: [{ operator: 'Maybe' }] }, /spec\.tolerations\[0\]\.operator/],
    [{ unknownField: true }, /unknown field "spec\.unknownField"/],
  ] as const) {
    const result = await attempt(spec);
    assert.notEqual(result.code, 0, JSON.stringify(spec));
    assert.match(result.stderr, field);
  }
});
