// The operator under failure (issue 7): no gateway, a crash between the Secret and the key hash, a restart
// mid-way, compaction (410 Gone) of its watches, and two replicas electing one leader with a Lease.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { helloGateway } from '@novagate/control-plane/testing/gateway-client';
import { answerConfigs, conditionOf, onTestServerOnly, routeYaml, secretValue, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const tenantYaml = (name: string, email: string) => `
apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: ${name}, namespace: default}
spec: {displayName: ${name}, plan: enterprise, ownerEmail: ${email}}
`;
const schemaOf = (tenantId: string) => `"tenant_${tenantId.replaceAll('-', '_')}"`;
const tenantIdOf = async (name: string) => (await h.object<{ status?: { tenantId?: string } }>('tenants', name))?.status?.tenantId;

async function reconcileCount(operator: { metrics: { registry: { getSingleMetricAsString(name: string): Promise<string> } } }, kind: string, result: string) {
  const text = await operator.metrics.registry.getSingleMetricAsString('novagate_reconcile_total');
  const match = new RegExp(`novagate_reconcile_total\\{kind="${kind}",result="${result}"\\} (\\d+)`).exec(text);
  return Number(match?.[1] ?? 0);
}

test('a Route of a tenant with no connected gateway is Programmed=False/NoGateways until a gateway acks it', async () => {
  const operator = await h.startOperator();
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml('lonely', 'lonely@example.com') + '---' + routeYaml('lonely-route', 'lonely'));
  const waiting = await waitFor(async () => {
    const condition = conditionOf((await h.object('routes', 'lonely-route')), 'Programmed');
    return condition?.reason === 'NoGateways' ? condition : undefined;
  }, 'NoGateways');
  assert.equal(waiting.status, 'False');
  const key = secretValue((await h.object('secrets', 'lonely-gateway-key')), 'apiKey');
  const gateway = await helloGateway(h.controlPlane.url, key, { nodeId: 'lonely-gw' });
  answerConfigs(gateway);
  try {
    const waited = await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/lonely-route', '--timeout=60s']);
    assert.equal(waited.code, 0, waited.stderr);
  } finally {
    gateway.close();
    await operator.stop();
  }
});

test('an operator killed between creating the Secret and storing the key hash converges on restart: one tenant, the Secret\'s key, one key row', async () => {
  // The crash point: storing the key hash fails, as if the process died right after creating the Secret.
  await h.db.pool.query(`
    CREATE FUNCTION public.refuse_api_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$;
    CREATE TRIGGER refuse_api_keys BEFORE INSERT ON public.api_keys FOR EACH ROW EXECUTE FUNCTION public.refuse_api_keys();`);
  const first = await h.startOperator();
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml('crashy', 'crashy@example.com'));
  await waitFor(async () => (await h.object('secrets', 'crashy-gateway-key')) !== null && (await reconcileCount(first, 'tenant', 'error')) > 0, 'the Secret to exist and the hash write to fail');
  await first.stop({ releaseLease: false });
  const keyBefore = secretValue((await h.object('secrets', 'crashy-gateway-key')), 'apiKey');
  assert.notEqual(conditionOf((await h.object('tenants', 'crashy')), 'Ready')?.status, 'True');
  await h.db.pool.query('DROP TRIGGER refuse_api_keys ON public.api_keys; DROP FUNCTION public.refuse_api_keys();');

  const second = await h.startOperator();
  try {
    const waited = await h.kubectl.run(['wait', '--for=condition=Ready', 'tenant/crashy', '--timeout=60s']);
    assert.equal(waited.code, 0, waited.stderr);
    const uid = (await h.object<{ metadata: { uid: string } }>('tenants', 'crashy'))?.metadata.uid;
    const tenants = await h.db.pool.query('SELECT id FROM public.tenants WHERE kubernetes_uid = $1 OR owner_email = $2', [uid, 'crashy@example.com']);
    assert.equal(tenants.rowCount, 1, 'no duplicate tenant');
    assert.equal(secretValue((await h.object('secrets', 'crashy-gateway-key')), 'apiKey'), keyBefore, 'the retry reused the Secret\'s key');
    const keys = await h.db.pool.query('SELECT key_hash, revoked_at FROM public.api_keys WHERE tenant_id = $1', [tenants.rows[0].id]);
    assert.deepEqual(keys.rows, [{ key_hash: createHash('sha256').update(keyBefore).digest('hex'), revoked_at: null }], 'no second key');
  } finally {
    await second.stop();
  }
});

test('an operator stopped mid-way through 20 Routes converges after a restart, and a converged restart writes nothing', async () => {
  const first = await h.startOperator({ concurrency: 1 });
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml('busy', 'busy@example.com'));
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/busy', '--timeout=60s']);
  const gateway = await helloGateway(h.controlPlane.url, secretValue((await h.object('secrets', 'busy-gateway-key')), 'apiKey'), { nodeId: 'busy-gw' });
  answerConfigs(gateway);
  try {
    const names = Array.from({ length: 20 }, (_, i) => `busy-${i}`);
    await h.kubectlOk(['apply', '-f', '-'], names.map((name) => routeYaml(name, 'busy')).join('---'));
    await waitFor(async () => (await reconcileCount(first, 'route', 'success')) > 0, 'the first route reconcile');
    await first.stop({ releaseLease: false });

    const second = await h.startOperator();
    await waitFor(
      async () => (await Promise.all(names.map((name) => h.object('routes', name)))).every((route) => conditionOf(route, 'Programmed')?.status === 'True'),
      'all 20 routes to be Programmed after the restart',
      60_000,
    );
    const tenantId = (await tenantIdOf('busy')) as string;
    const rows = await h.db.pool.query(`SELECT count(*)::int AS routes, count(DISTINCT name)::int AS names FROM ${schemaOf(tenantId)}.routes`);
    assert.deepEqual(rows.rows[0], { routes: 20, names: 20 });
    await second.stop();

    const versionBefore = await h.db.pool.query(`SELECT max(version)::int AS version FROM ${schemaOf(tenantId)}.config_versions`);
    const resourceVersions = () => Promise.all(names.map(async (name) => (await h.object<{ metadata: { resourceVersion: string } }>('routes', name))?.metadata.resourceVersion));
    const before = await resourceVersions();
    const third = await h.startOperator();
    await waitFor(async () => (await reconcileCount(third, 'route', 'success')) >= 20, 'the third operator to reconcile every route');
    const versionAfter = await h.db.pool.query(`SELECT max(version)::int AS version FROM ${schemaOf(tenantId)}.config_versions`);
    assert.equal(versionAfter.rows[0].version, versionBefore.rows[0].version, 'no new config version');
    assert.deepEqual(await resourceVersions(), before, 'no status rewritten');
    await third.stop();
  } finally {
    gateway.close();
  }
});

test('after its watches are compacted away (410 Gone) the operator relists and still sees what changed meanwhile', onTestServerOnly('forced compaction'), async () => {
  const kube = h.kube as NonNullable<Harness['kube']>;
  const operator = await h.startOperator();
  try {
    await h.kubectlOk(['apply', '-f', '-'], tenantYaml('compacted', 'compacted@example.com'));
    await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/compacted', '--timeout=60s']);
    await waitFor(() => kube.openWatches('novagate.dev/routes') > 0, 'the route watch');
    kube.compact();
    await h.kubectlOk(['apply', '-f', '-'], routeYaml('after-compaction', 'compacted'));
    await waitFor(async () => conditionOf((await h.object('routes', 'after-compaction')), 'Accepted')?.status === 'True', 'the route created during compaction to be accepted');
    assert.ok(h.logLines.some((line) => line.includes('relisting') && line.includes('410')), 'the operator relisted on 410');
  } finally {
    await operator.stop();
  }
});

test('two replicas elect exactly one leader with a Lease; the other takes over when the leader dies, and at once when it releases on SIGTERM', async () => {
  const election = { namespace: 'default', leaseDurationSeconds: 5, retryPeriodMs: 300, renewDeadlineMs: 4_000 };
  const a = await h.startOperator({ leaderElection: { ...election, identity: 'replica-a' } });
  const b = await h.startOperator({ leaderElection: { ...election, identity: 'replica-b' } });
  const leader = await waitFor(() => (a.isLeader() || b.isLeader() ? (a.isLeader() ? a : b) : undefined), 'a leader');
  const standby = leader === a ? b : a;
  assert.equal([a, b].filter((replica) => replica.isLeader()).length, 1, 'exactly one leader');
  assert.equal((await h.object<{ spec: { holderIdentity: string } }>('leases', 'novagate-operator'))?.spec.holderIdentity, leader.identity);
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml('elected', 'elected@example.com'));
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/elected', '--timeout=60s']);
  assert.equal(await reconcileCount(standby, 'tenant', 'success'), 0, 'the standby reconciles nothing');

  await leader.stop({ releaseLease: false }); // dies without handing the lease back
  await waitFor(() => standby.isLeader(), 'the standby to take over after the lease runs out', 30_000);
  assert.equal((await h.object<{ spec: { holderIdentity: string } }>('leases', 'novagate-operator'))?.spec.holderIdentity, standby.identity);
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml('after-failover', 'after-failover@example.com'));
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/after-failover', '--timeout=60s']);

  await standby.stop({ releaseLease: true }); // what SIGTERM does
  assert.equal((await h.object<{ spec: { holderIdentity: string } }>('leases', 'novagate-operator'))?.spec.holderIdentity, '', 'the lease was released');
  const c = await h.startOperator({ leaderElection: { ...election, leaseDurationSeconds: 60, identity: 'replica-c' } });
  await waitFor(() => c.isLeader(), 'a new replica to take a released lease at once', 5_000);
  await c.stop();
});
