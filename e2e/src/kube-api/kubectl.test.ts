// Real kubectl against the test server: the commands NovaGate's docs and operator tests rely on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startKubeApiServer, type KubeApiServer } from './index.js';
import { kubectlFor, type Kubectl } from './kubectl.js';
import { tenant, tenantCrd, waitFor } from './test-fixtures.js';
import type { ResourceType } from './resource-types.js';

let server: KubeApiServer;
let kubectl: Kubectl;

before(async () => {
  server = await startKubeApiServer();
  kubectl = kubectlFor(server.kubeconfigPath);
});
after(async () => {
  kubectl.dispose();
  await server.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl.run(args, input);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function tenants(): ResourceType {
  return server.api.resourceType('novagate.dev', 'v1alpha1', 'tenants');
}

test('kubectl apply -f creates a CRD, then a custom resource of it, and get -A lists it with printer columns', async () => {
  assert.match(await ok(['apply', '-f', '-'], stringify(tenantCrd())), /customresourcedefinition.apiextensions.k8s.io\/tenants.novagate.dev created/);
  assert.match(await ok(['wait', '--for=condition=Established', 'crd/tenants.novagate.dev', '--timeout=10s']), /condition met/);
  await ok(['create', 'namespace', 'team-a']);
  const manifest = stringify({ ...tenant('acme', { plan: 'pro' }), metadata: { name: 'acme', namespace: 'team-a', finalizers: ['novagate.dev/cleanup'] } });
  assert.match(await ok(['apply', '-f', '-'], manifest), /tenant.novagate.dev\/acme created/);
  const table = await ok(['get', 'tenants', '-A']);
  assert.match(table, /^NAMESPACE\s+NAME\s+PLAN\s+READY\s+AGE\n/);
  assert.match(table, /team-a\s+acme\s+pro\s+<none>\s+\d+s/);
});

test('kubectl get -o yaml shows the server-set metadata and defaulted fields', async () => {
  const yaml = await ok(['get', 'tenant', 'acme', '-n', 'team-a', '-o', 'yaml']);
  assert.match(yaml, /uid: [0-9a-f-]{36}/);
  assert.match(yaml, /resourceVersion: "\d+"/);
  assert.match(yaml, /generation: 1/);
  assert.match(yaml, /deletionPolicy: Retain/);
  assert.match(yaml, /kubectl.kubernetes.io\/last-applied-configuration/);
});

test('kubectl apply of an invalid custom resource prints the 422 with every offending field', async () => {
  const manifest = stringify({ ...tenant('broken', { plan: 'gold', seats: 0 }), metadata: { name: 'broken', namespace: 'team-a' } });
  const result = await kubectl.run(['apply', '-f', '-'], manifest);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /The Tenant "broken" is invalid/);
  assert.match(result.stderr, /spec.plan: Unsupported value: "gold"/);
  assert.match(result.stderr, /spec.seats: Invalid value: 0/);
});

test('kubectl patch --type=merge changes the spec and bumps generation', async () => {
  assert.match(await ok(['patch', 'tenant', 'acme', '-n', 'team-a', '--type=merge', '-p', '{"spec":{"plan":"enterprise"}}']), /patched/);
  assert.equal(await ok(['get', 'tenant', 'acme', '-n', 'team-a', '-o', 'jsonpath={.spec.plan} {.metadata.generation}']), 'enterprise 2');
});

test('kubectl patch with the default strategic type is refused for a custom resource, as a real server refuses it', async () => {
  const result = await kubectl.run(['patch', 'tenant', 'acme', '-n', 'team-a', '-p', '{"spec":{"plan":"free"}}']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /application\/strategic-merge-patch\+json is not supported|UnsupportedMediaType|unknown format/);
  assert.equal(await ok(['get', 'tenant', 'acme', '-n', 'team-a', '-o', 'jsonpath={.spec.plan}']), 'enterprise');
});

test('kubectl apply --server-side creates, reports conflicts with another manager, and takes over with --force-conflicts', async () => {
  const manifest = (plan: string): string => stringify({ ...tenant('beta', { plan }), metadata: { name: 'beta', namespace: 'team-a' } });
  assert.match(await ok(['apply', '--server-side', '-f', '-'], manifest('free')), /tenant.novagate.dev\/beta serverside-applied/);
  await ok(['patch', 'tenant', 'beta', '-n', 'team-a', '--type=merge', '-p', '{"spec":{"plan":"pro"}}']);
  const conflicted = await kubectl.run(['apply', '--server-side', '-f', '-'], manifest('enterprise'));
  assert.notEqual(conflicted.code, 0);
  assert.match(conflicted.stderr, /conflict with "kubectl-patch".*\.spec\.plan/);
  await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest('enterprise'));
  assert.equal(await ok(['get', 'tenant', 'beta', '-n', 'team-a', '-o', 'jsonpath={.spec.plan}']), 'enterprise');
});

test('kubectl wait --for=condition=Ready returns once a controller sets the condition through the status subresource', async () => {
  const waiting = kubectl.start(['wait', '--for=condition=Ready', 'tenant/acme', '-n', 'team-a', '--timeout=60s']);
  await server.waitForWatch('novagate.dev/tenants');
  assert.equal(waiting.child.exitCode, null, 'kubectl is still waiting');
  const status = { status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: 'tenant is ready', lastTransitionTime: server.api.now() }] } };
  server.api.patch(tenants(), 'team-a', 'acme', 'merge', JSON.stringify(status), { manager: 'novagate-operator' }, 'status');
  const result = await waiting.result;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /tenant.novagate.dev\/acme condition met/);
  await waitFor(() => server.openWatches('novagate.dev/tenants') === 0, "the server to close kubectl's watch once kubectl is gone");
});

test('kubectl get --watch prints a row for each change it is told about', async () => {
  await waitFor(() => server.openWatches('novagate.dev/tenants') === 0, 'earlier watches to close');
  const watching = kubectl.start(['get', 'tenants', '-n', 'team-a', '--watch', '--output-watch-events']);
  let output = '';
  watching.child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(() => server.openWatches('novagate.dev/tenants') > 0, 'kubectl get --watch to watch');
  server.api.patch(tenants(), 'team-a', 'beta', 'merge', JSON.stringify({ metadata: { labels: { seen: 'yes' } } }), { manager: 'test' });
  server.api.create(tenants(), 'team-a', tenant('gamma'), { manager: 'test' });
  await waitFor(() => /ADDED\s+gamma/.test(output), 'the ADDED row for gamma');
  watching.child.kill();
  await watching.result;
  assert.match(output, /MODIFIED\s+beta/);
});

test('kubectl diff shows what an apply would change, through a server-side dry run that changes nothing', async () => {
  const before = server.api.store.revision;
  const manifest = stringify({ ...tenant('beta', { plan: 'free' }), metadata: { name: 'beta', namespace: 'team-a' } });
  const diff = await kubectl.run(['diff', '-f', '-'], manifest);
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /-\s+plan: enterprise\n\+\s+plan: free/);
  assert.equal(server.api.store.revision, before, 'a dry run writes nothing');
});

test('kubectl describe shows the resource and the Events that name it', async () => {
  const acme = server.api.get(tenants(), 'team-a', 'acme');
  const events = server.api.types.find('', 'v1', 'events');
  assert.ok(events);
  server.api.create(events, 'team-a', {
    metadata: { generateName: 'acme.' },
    involvedObject: { apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', name: 'acme', namespace: 'team-a', uid: acme.metadata.uid },
    reason: 'Provisioned',
    message: 'schema tenant_acme created',
    type: 'Normal',
    source: { component: 'novagate-operator' },
    count: 1,
    firstTimestamp: server.api.now(),
    lastTimestamp: server.api.now(),
  }, { manager: 'novagate-operator' });
  const described = await ok(['describe', 'tenant', 'acme', '-n', 'team-a']);
  assert.match(described, /Name:\s+acme/);
  assert.match(described, /Plan:\s+enterprise/);
  assert.match(described, /Normal\s+Provisioned\s+\S+\s+novagate-operator\s+schema tenant_acme created/);
});

test('kubectl delete blocks while a finalizer is present and completes once it is removed', async () => {
  await waitFor(() => server.openWatches('novagate.dev/tenants') === 0, 'earlier watches to close');
  const deleting = kubectl.start(['delete', 'tenant', 'acme', '-n', 'team-a', '--timeout=60s']);
  await server.waitFor(tenants(), 'team-a', 'acme', (t) => t?.metadata.deletionTimestamp !== undefined);
  await server.waitForWatch('novagate.dev/tenants');
  assert.equal(deleting.child.exitCode, null, 'kubectl delete is still blocked on the finalizer');
  assert.equal(await ok(['get', 'tenant', 'acme', '-n', 'team-a', '-o', 'jsonpath={.metadata.finalizers}']), '["novagate.dev/cleanup"]');
  server.api.patch(tenants(), 'team-a', 'acme', 'json', JSON.stringify([{ op: 'remove', path: '/metadata/finalizers' }]), { manager: 'novagate-operator' });
  const result = await deleting.result;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /tenant.novagate.dev "acme" deleted/);
  const gone = await kubectl.run(['get', 'tenant', 'acme', '-n', 'team-a']);
  assert.match(gone.stderr, /NotFound/);
});

test('client-side kubectl apply of a ConfigMap patches it with a strategic merge patch driven by the last-applied annotation', async () => {
  const configMap = (data: Record<string, string>): string => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gateway', namespace: 'team-a' }, data });
  await ok(['apply', '-f', '-'], configMap({ a: '1', b: '2' }));
  server.api.patch(server.api.types.find('', 'v1', 'configmaps')!, 'team-a', 'gateway', 'merge', JSON.stringify({ data: { byOthers: 'kept' } }), { manager: 'someone-else' });
  assert.match(await ok(['apply', '-f', '-'], configMap({ a: '1', c: '3' })), /configmap\/gateway configured/);
  assert.equal(await ok(['get', 'configmap', 'gateway', '-n', 'team-a', '-o', 'jsonpath={.data}']), '{"a":"1","byOthers":"kept","c":"3"}');
});

test('kubectl create namespace, secret, configmap and serviceaccount work through their protobuf requests', async () => {
  await ok(['create', 'namespace', 'team-b']);
  await ok(['create', 'secret', 'generic', 'tenant-key', '-n', 'team-b', '--from-literal=apiKey=s3cret']);
  await ok(['create', 'configmap', 'settings', '-n', 'team-b', '--from-literal=mode=dev']);
  await ok(['create', 'serviceaccount', 'operator', '-n', 'team-b']);
  assert.equal(await ok(['get', 'secret', 'tenant-key', '-n', 'team-b', '-o', 'jsonpath={.data.apiKey} {.type}']), `${Buffer.from('s3cret').toString('base64')} Opaque`);
  assert.equal(await ok(['get', 'configmap', 'settings', '-n', 'team-b', '-o', 'jsonpath={.data.mode}']), 'dev');
  assert.match(await ok(['get', 'serviceaccounts', '-n', 'team-b']), /default[\s\S]*operator/);
  assert.match(await ok(['delete', 'namespace', 'team-b']), /namespace "team-b" deleted/);
  assert.equal(server.api.store.list('/secrets', 'team-b').length, 0);
});

test('kubectl explain describes a custom resource from its OpenAPI schema', async () => {
  const explained = await ok(['explain', 'tenants.spec']);
  assert.match(explained, /plan\s+<string> -required-/);
  assert.match(explained, /enum: free, pro, enterprise/);
});

test('kubectl delete of the CRD removes its remaining resources and kubectl no longer knows the kind', async () => {
  await ok(['delete', 'crd', 'tenants.novagate.dev']);
  assert.equal(server.api.store.list('novagate.dev/tenants', '').length, 0);
  const unknown = await kubectl.run(['get', 'tenants', '-A']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /NotFound|doesn't have a resource type "tenants"/);
  assert.doesNotMatch(await ok(['api-resources']), /novagate\.dev/);
});
