import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type TestServer } from '../testing/server.js';

const {
  db,
  servers: [replicaA, replicaB],
} = withTestServer({ replicas: 2, listenerReconnectDelayMs: 2_000 });

async function resetPassword(server: TestServer, email: string): Promise<void> {
  const mailCount = server.mail.length;
  await server.request('POST', '/api/v1/auth/password-reset', { body: { email } });
  for (let i = 0; i < 200 && server.mail.length === mailCount; i++) await new Promise((r) => setTimeout(r, 10));
  const token = /Reset token: ([0-9a-f]{64})/.exec(server.mail.at(-1)?.text ?? '')?.[1];
  const confirm = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
  assert.equal(confirm.status, 204);
}

async function statusOnB(tenantId: string, token: string): Promise<number> {
  return (await replicaB.request('GET', `/api/v1/tenants/${tenantId}/services`, { token })).status;
}

test('a password reset on one replica ends earlier tokens on another replica within a second', async () => {
  const tenant = await registerTenant(replicaA);
  for (let i = 0; i < 100 && replicaB.controlPlane.listener.backendPid() === null; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await statusOnB(tenant.id, tenant.token), 200, "replica B has the tenant's token version cached now");
  await resetPassword(replicaA, tenant.email);
  const started = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - started < 1_000) {
    status = await statusOnB(tenant.id, tenant.token);
    if (status === 200) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(status, 401);
});

test('while the LISTEN session is down, token versions are read from the database on every request', async () => {
  const tenant = await registerTenant(replicaA);
  assert.equal(await statusOnB(tenant.id, tenant.token), 200);
  const pid = replicaB.controlPlane.listener.backendPid();
  assert.ok(pid !== null);
  await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
  for (let i = 0; i < 100 && replicaB.controlPlane.listener.backendPid() !== null; i++) await new Promise((r) => setTimeout(r, 10));
  // Replica B misses the notification of this reset, yet must not accept the old token.
  await resetPassword(replicaA, tenant.email);
  assert.equal(await statusOnB(tenant.id, tenant.token), 401);
});
