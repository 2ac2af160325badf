// The client the NovaGate operator is built on (@kubernetes/client-node 1.x) against the test server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, V1MicroTime, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from './index.js';
import { tenant, tenantCrd, waitFor } from './test-fixtures.js';

let server: KubeApiServer;
let kubeConfig: KubeConfig;

before(async () => {
  server = await startKubeApiServer();
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  const crds = server.api.types.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  assert.ok(crds);
  server.api.create(crds, '', tenantCrd(), { manager: 'test' });
});
after(async () => {
  await server.stop();
});

const group = { group: 'novagate.dev', version: 'v1alpha1', namespace: 'default', plural: 'tenants' };

test('client-node trusts the generated CA from the kubeconfig and reads and writes core and custom objects', async () => {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'acme-gateway-key' }, stringData: { apiKey: 'k' } } });
  const secret = await core.readNamespacedSecret({ namespace: 'default', name: 'acme-gateway-key' });
  assert.equal(secret.data?.apiKey, Buffer.from('k').toString('base64'));
  const created = (await custom.createNamespacedCustomObject({ ...group, body: tenant('acme') })) as KubernetesObject;
  assert.equal(created.metadata?.generation, 1);
});

test('client-node gets a 409 ApiException for an update with a stale resourceVersion', async () => {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const current = (await custom.getNamespacedCustomObject({ ...group, name: 'acme' })) as KubernetesObject & { spec: Record<string, unknown> };
  await custom.replaceNamespacedCustomObject({ ...group, name: 'acme', body: { ...current, spec: { ...current.spec, plan: 'pro' } } });
  await assert.rejects(
    custom.replaceNamespacedCustomObject({ ...group, name: 'acme', body: { ...current, spec: { ...current.spec, plan: 'enterprise' } } }),
    (error: unknown) => error instanceof ApiException && error.code === 409,
  );
});

test('a client-node informer recovers from compaction: its watch gets 410, it relists and sees what changed meanwhile', async () => {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  let lists = 0;
  const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    lists += 1;
    return (await custom.listNamespacedCustomObject(group)) as KubernetesListObject<KubernetesObject>;
  };
  const informer = makeInformer(kubeConfig, '/apis/novagate.dev/v1alpha1/namespaces/default/tenants', listFn);
  const added: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (object) => added.push(object.metadata?.name ?? ''));
  informer.on('error', (error) => errors.push(error));
  await informer.start();
  try {
    await waitFor(() => added.includes('acme') && server.openWatches('novagate.dev/tenants') > 0, 'the informer to list and watch');
    assert.equal(lists, 1);
    server.compact();
    server.api.create(server.api.types.find('novagate.dev', 'v1alpha1', 'tenants')!, 'default', tenant('while-compacted'), { manager: 'test' });
    await waitFor(() => added.includes('while-compacted'), 'the informer to relist');
    assert.equal(lists, 2, 'the 410 made the informer relist');
    assert.deepEqual(errors, []);
    assert.equal(informer.list('default').length, 2);
    await waitFor(() => server.openWatches('novagate.dev/tenants') > 0, 'the informer to watch again');
    await custom.createNamespacedCustomObject({ ...group, body: tenant('after-relist') });
    await waitFor(() => added.includes('after-relist'), 'the informer to see a new object through its new watch');
  } finally {
    await informer.stop();
  }
});

test('a Lease works for leader election: create, renew with its resourceVersion, and a stale renewal gets 409', async () => {
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const now = new V1MicroTime();
  const created = await leases.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'novagate-operator' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now } } });
  const renewed = await leases.replaceNamespacedLease({ namespace: 'default', name: 'novagate-operator', body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime(now.getTime() + 1000) } } });
  assert.notEqual(renewed.metadata?.resourceVersion, created.metadata?.resourceVersion);
  assert.equal(renewed.spec?.holderIdentity, 'pod-a');
  await assert.rejects(
    leases.replaceNamespacedLease({ namespace: 'default', name: 'novagate-operator', body: { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } } }),
    (error: unknown) => error instanceof ApiException && error.code === 409,
  );
});
