// The chart's Gateway API parts: the operator's provisioner settings (GATEWAY_PROVISIONER and the defaults of the
// Deployments it creates), the RBAC those need, and the GatewayClass installed by value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import { componentName, findObject, releaseNamespace, renderChart, renderFailure, type KubeObject } from './render.js';

function operatorContainer(objects: readonly KubeObject[]): { container: IContainer; deployment: IDeployment } {
  const deployment = findObject<IDeployment>(objects, 'Deployment', componentName('operator'));
  return { deployment, container: deployment.spec!.template.spec!.containers[0]! };
}

const envOf = (container: IContainer) => Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry.value]));

test('by default the operator provisions Gateways in the cluster with the gateway image, one replica, a ClusterIP Service and the CA', () => {
  const objects = renderChart();
  const { container, deployment } = operatorContainer(objects);
  const env = envOf(container);
  assert.equal(env.GATEWAY_PROVISIONER, 'cluster');
  assert.equal(env.GATEWAY_CONTROL_PLANE_URL, `wss://${componentName('control-plane')}.${releaseNamespace}.svc:8080`);
  assert.match(env.GATEWAY_IMAGE ?? '', /\/gateway:/);
  assert.equal(env.GATEWAY_REPLICAS, '1');
  assert.equal(env.GATEWAY_SERVICE_TYPE, 'ClusterIP');
  assert.deepEqual(JSON.parse(env.GATEWAY_RESOURCES ?? ''), { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } });
  assert.equal(env.GATEWAY_CONTROL_PLANE_CA_FILE, '/etc/novagate/control-plane-ca/ca.crt');
  assert.ok(container.volumeMounts?.some((mount) => mount.mountPath === '/etc/novagate/control-plane-ca' && mount.readOnly === true));
  assert.ok(deployment.spec!.template.spec!.volumes?.some((volume) => volume.name === 'control-plane-ca' && volume.secret !== undefined));
  assert.equal(objects.some((object) => object.kind === 'GatewayClass'), false, 'no GatewayClass unless asked for');
});

test('the operator may manage Deployments, Services and ConfigMaps, read GatewayParameters, and block a Gateway\'s deletion', () => {
  const role = renderChart().find((object) => object.kind === 'ClusterRole') as unknown as { rules: IPolicyRule[] };
  const verbsOf = (group: string, resource: string) => role.rules.filter((rule) => rule.apiGroups?.includes(group) && rule.resources?.includes(resource)).flatMap((rule) => rule.verbs);
  const manage = ['create', 'delete', 'get', 'patch'];
  assert.deepEqual(verbsOf('apps', 'deployments').sort(), manage);
  assert.deepEqual(verbsOf('', 'services').sort(), [...manage, 'get', 'list', 'watch'].sort(), 'managed, and watched for backendRefs');
  assert.deepEqual(verbsOf('', 'configmaps').sort(), manage);
  assert.deepEqual(verbsOf('novagate.dev', 'gatewayparameters').sort(), ['get', 'list', 'watch']);
  assert.deepEqual(verbsOf('gateway.networking.k8s.io', 'gateways/finalizers'), ['update']);
});

test('provisioner settings come from gatewayApi.provisioner; mode none sets nothing else', () => {
  const custom = envOf(operatorContainer(renderChart({
    set: ['gatewayApi.provisioner.image.repository=custom/gateway', 'gatewayApi.provisioner.image.tag=9.9.9', 'gatewayApi.provisioner.serviceType=LoadBalancer', 'gatewayApi.provisioner.replicas=3', 'gatewayApi.provisioner.controlPlaneUrl=wss://cp.example.com'],
  })).container);
  assert.match(custom.GATEWAY_IMAGE ?? '', /\/custom\/gateway:9\.9\.9$/);
  assert.equal(custom.GATEWAY_SERVICE_TYPE, 'LoadBalancer');
  assert.equal(custom.GATEWAY_REPLICAS, '3');
  assert.equal(custom.GATEWAY_CONTROL_PLANE_URL, 'wss://cp.example.com');
  assert.equal(custom.GATEWAY_CONTROL_PLANE_CA_FILE, undefined, 'an outside control plane: the system roots');
  const none = envOf(operatorContainer(renderChart({ set: ['gatewayApi.provisioner.mode=none'] })).container);
  assert.equal(none.GATEWAY_PROVISIONER, 'none');
  // GATEWAY_BIND_PRIVILEGED_PORTS is the Gateway controller's (bindPort), not a provisioner setting.
  assert.deepEqual(Object.keys(none).filter((name) => name.startsWith('GATEWAY_') && name !== 'GATEWAY_PROVISIONER' && name !== 'GATEWAY_BIND_PRIVILEGED_PORTS'), []);
  assert.match(renderFailure({ set: ['gatewayApi.provisioner.mode=docker'] }), /gatewayApi\.provisioner\.mode/);
  assert.match(renderFailure({ set: ['gatewayApi.provisioner.serviceType=External'] }), /gatewayApi\.provisioner\.serviceType/);
});

test('gatewayApi.gatewayClass.create installs a GatewayClass of novagate.dev/gateway-controller naming the Tenant', () => {
  const objects = renderChart({ set: ['gatewayApi.gatewayClass.create=true', 'gatewayApi.gatewayClass.tenant=shop'] });
  const gatewayClass = findObject<{ spec: { controllerName: string; parametersRef: Record<string, string> } }>(objects, 'GatewayClass', 'novagate');
  assert.equal(gatewayClass.spec.controllerName, 'novagate.dev/gateway-controller');
  assert.deepEqual(gatewayClass.spec.parametersRef, { group: 'novagate.dev', kind: 'Tenant', name: 'shop', namespace: releaseNamespace });
  const elsewhere = renderChart({ set: ['gatewayApi.gatewayClass.create=true', 'gatewayApi.gatewayClass.tenant=shop', 'gatewayApi.gatewayClass.tenantNamespace=shops', 'gatewayApi.gatewayClass.name=edge'] });
  assert.equal(findObject<{ spec: { parametersRef: { namespace: string } } }>(elsewhere, 'GatewayClass', 'edge').spec.parametersRef.namespace, 'shops');
  assert.match(renderFailure({ set: ['gatewayApi.gatewayClass.create=true'] }), /gatewayApi\.gatewayClass\.tenant is required/);
});
