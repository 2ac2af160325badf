// The operator end to end with a real gateway process (issue 7): the key from the Tenant's Secret connects the
// gateway to the control plane, and traffic through it follows what kubectl applied: the route's rate limit,
// key-auth with the Consumer's Secret, a rotated key, a Route over a pool of targets (issue 16), a deleted Route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { startGatewayProcess, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { secretValue, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
let upstream: TestUpstream;
let gateway: GatewayProcess;

before(async () => {
  h = await startHarness();
  await h.startOperator();
  upstream = await startUpstream();
});
after(async () => {
  await gateway?.stop();
  await upstream.close();
  await h.close();
});

async function status(path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

const tenantYaml = `
apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: shop, namespace: default}
spec: {displayName: Shop, plan: pro, ownerEmail: ops@shop.example.com, deletionPolicy: Delete}
`;

const routeYaml = (name: string, path: string, spec: string) => `
apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: ${name}, namespace: default}
spec:
  tenantRef: {name: shop}
  upstream: {url: "${upstream.url}", retries: 0}
  match: {paths: ["${path}"]}
${spec}`;

const consumerYaml = (key: string) => `
apiVersion: v1
kind: Secret
metadata: {name: buyer-key, namespace: default}
type: Opaque
stringData: {apiKey: ${key}}
---
apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: buyer, namespace: default}
spec:
  tenantRef: {name: shop}
  username: buyer
  apiKeySecretRef: {name: buyer-key, key: apiKey}
`;

test('a gateway started with the key from the Tenant Secret serves Routes applied with kubectl, with their rate limit', async () => {
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml);
  assert.equal((await h.kubectl.run(['wait', '--for=condition=Ready', 'tenant/shop', '--timeout=60s'])).code, 0);
  const apiKey = secretValue((await h.object('secrets', 'shop-gateway-key')), 'apiKey');
  gateway = await startGatewayProcess({
    CONTROL_PLANE_URL: h.controlPlane.url.replace(/^http/, 'ws'),
    // The harness's control plane serves plain HTTP on 127.0.0.1 only.
    ALLOW_INSECURE_CONTROL_PLANE: 'true',
    GATEWAY_API_KEY: apiKey,
    JWT_SECRET: 'operator-e2e-jwt-secret-0123456789abcdef',
  });
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('catalog', '/catalog', '  rateLimit: {limit: 3, windowSeconds: 3600, by: ip}'));
  assert.equal((await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/catalog', '--timeout=60s'])).code, 0);
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push(await status('/catalog'));
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
});

test('key-auth passes with the Consumer Secret key, and after a Secret change the old key stops working', async () => {
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('orders', '/orders/*', '  auth: key-auth'));
  await h.kubectlOk(['apply', '-f', '-'], consumerYaml('first-key-0123456789abcdef01234567'));
  assert.equal((await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/orders', 'consumer/buyer', '--timeout=60s'])).code, 0);
  await waitFor(async () => (await status('/orders/1', { apikey: 'first-key-0123456789abcdef01234567' })) === 200, 'the first key to pass');
  assert.equal(await status('/orders/1'), 401);
  assert.equal(await status('/orders/1', { apikey: 'someone-elses-key-0123456789abcdef' }), 401);
  const received = upstream.received.at(-1);
  assert.equal(received?.headers.apikey, undefined, 'the credential is not forwarded upstream');

  await h.kubectlOk(['apply', '-f', '-'], consumerYaml('second-key-0123456789abcdef0123456'));
  await waitFor(async () => (await status('/orders/1', { apikey: 'second-key-0123456789abcdef0123456' })) === 200, 'the rotated key to pass');
  assert.equal(await status('/orders/1', { apikey: 'first-key-0123456789abcdef01234567' }), 401, 'the old key stopped working');
});

test('a Route with upstream targets, loadBalancing, timeouts and retry is served by the gateway, balanced over both targets by weight', async () => {
  const pool = await Promise.all([startUpstream(), startUpstream()]);
  try {
    await h.kubectlOk(['apply', '-f', '-'], `
apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: pooled, namespace: default}
spec:
  tenantRef: {name: shop}
  upstream:
    targets: [{url: "${pool[0]?.url}", weight: 1}, {url: "${pool[1]?.url}", weight: 3}]
    loadBalancing: {algorithm: round-robin}
    retries: 0
  match: {paths: ["/pooled"]}
  timeouts: {requestMs: 5000, backendRequestMs: 2000}
  retry: {attempts: 2, "on": [connect-failure, reset], backoffMs: 10}
`);
    assert.equal((await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/pooled', '--timeout=60s'])).code, 0);
    await waitFor(async () => (await status('/pooled')) === 200, 'the pooled route to be served');
    const before = pool.map((u) => u.received.length);
    const statuses = new Set<number>();
    for (let i = 0; i < 200; i++) statuses.add(await status('/pooled'));
    assert.deepEqual([...statuses], [200]);
    const share = pool.map((u, i) => u.received.length - (before[i] as number));
    assert.equal(share[0]! + share[1]!, 200);
    // Smooth weighted round-robin, 1:3 → 50 and 150; ±20% leaves room for nothing but a broken balancer.
    assert.ok(share[0]! >= 40 && share[0]! <= 60, `weight 1 of 4 over 200 requests: ${share.join('/')}`);

    // upstream.retries is 0, so only the Route's retry can carry a request past the dead target.
    const retried = async () => {
      const text = await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`).then((r) => r.text());
      return Number(/^novagate_upstream_retries_total\{service="k8s\.default\.pooled",outcome="retried"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    await pool[0]?.close();
    const failed: number[] = [];
    for (let i = 0; i < 40; i++) {
      const code = await status('/pooled');
      if (code !== 200) failed.push(code);
    }
    assert.deepEqual(failed, [], 'with one target dead every request is retried onto the other');
    assert.ok((await retried()) >= 5, `the Route's retry carried the requests that picked the dead target: ${await retried()} retries`);
    process.stdout.write(`# Route with 2 targets (weights 1:3) over 200 requests: ${share.join('/')}; one killed: 40 requests, 0 failed, ${await retried()} retries\n`);
  } finally {
    await h.kubectlOk(['delete', 'route', 'pooled']);
    await Promise.all(pool.map((u) => u.close().catch(() => undefined)));
  }
});

test('a Route with pathMatches, a header match and jwt.providers, and a Consumer with jwtProvider: the gateway routes by header and knows the token\'s consumer', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const token = (claims: object): string => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'ES256', typ: 'JWT', kid: 'k1' })}.${part(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  await h.kubectlOk(['apply', '-f', '-'], `
apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: idp, namespace: default}
spec:
  tenantRef: {name: shop}
  upstream: {url: "${upstream.url}", retries: 0}
  match:
    pathMatches: [{type: PathPrefix, value: /idp}]
    headers: [{name: X-Tier, value: "gold|silver", type: RegularExpression}]
  auth: jwt
  jwt:
    providers: [{name: local, issuer: "https://idp.shop.example", publicKeys: [${JSON.stringify({ kty, crv, x, y, kid: 'k1' })}], algorithms: [ES256]}]
---
apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: idp-client, namespace: default}
spec:
  tenantRef: {name: shop}
  username: idp-client
  jwtSubject: client-7
  jwtProvider: local
`);
  try {
    const programmed = await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/idp', 'consumer/idp-client', '--timeout=60s']);
    const conditions = async () => JSON.stringify([(await h.object<{ status?: unknown }>('routes', 'idp'))?.status, (await h.object<{ status?: unknown }>('consumers', 'idp-client'))?.status]);
    assert.equal(programmed.code, 0, await conditions());
    const now = Math.floor(Date.now() / 1000);
    const bearer = { authorization: `Bearer ${token({ iss: 'https://idp.shop.example', sub: 'client-7', exp: now + 600 })}` };
    await waitFor(async () => (await status('/idp/orders', { ...bearer, 'x-tier': 'gold' })) === 200, 'the idp route to be served');
    assert.equal(upstream.received.at(-1)?.headers['x-consumer-username'], 'idp-client', 'the token\'s sub named the Consumer of jwtProvider local');
    assert.equal(await status('/idp/orders', { ...bearer, 'x-tier': 'bronze' }), 404, 'the header match does not hold: no route');
    assert.equal(await status('/idpx', { ...bearer, 'x-tier': 'gold' }), 404, 'PathPrefix /idp takes whole segments only');
    assert.equal(await status('/idp/orders', { 'x-tier': 'gold' }), 401);
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = bearer.authorization.replace(/[^.]+$/, sign('sha256', Buffer.from(bearer.authorization.slice(7).split('.').slice(0, 2).join('.')), { key: otherKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'));
    assert.equal(await status('/idp/orders', { authorization: forged, 'x-tier': 'gold' }), 401, 'a token signed by another key is refused');
  } finally {
    await h.kubectlOk(['delete', 'route', 'idp']);
    await h.kubectlOk(['delete', 'consumer', 'idp-client']);
  }
});

test('deleting a Route makes the gateway stop serving it while the other Route keeps serving', async () => {
  await h.kubectlOk(['delete', 'route', 'catalog']);
  await waitFor(async () => (await status('/catalog')) === 404, 'the deleted route to be gone');
  assert.equal(await status('/orders/1', { apikey: 'second-key-0123456789abcdef0123456' }), 200);
});

test('deleting the Tenant with deletionPolicy Delete disconnects the gateway, which keeps its last good config', async () => {
  await h.kubectlOk(['delete', 'tenant', 'shop', '--wait=true', '--timeout=60s']);
  const text = async () => fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`).then((r) => r.text());
  await waitFor(async () => /^novagate_control_plane_connected 0$/m.test(await text()), 'the gateway to be disconnected');
  assert.equal(await status('/orders/1', { apikey: 'second-key-0123456789abcdef0123456' }), 200);
});
