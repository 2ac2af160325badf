// The Gateway controller on a real kube-apiserver (the Gateway API CRDs' CEL needs it) and real PostgreSQL, with
// the chart's RBAC and a recording provisioner: a Gateway of our Accepted class gets its listeners into the class's
// Tenant's config (from any namespace), a key Secret it owns bound to it, Accepted/Programmed and per-listener status; conflicts and bad
// certificateRefs are reported per listener and left out; deletion revokes the key and removes the listeners; a
// Gateway of another controller's class is left alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiKeyState, readManagedEntities } from '@novagate/control-plane/tenancy';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { createLogger, startOperator, type GatewayProvisioner, type Operator, type ProvisionedGateway } from '@novagate/operator';
import { kubectlFor, kubectlOk, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { CRDS_DIR, waitFor } from './harness.js';
import { loadKubeConfig, operatorKubeConfig } from './real-kube.js';

const GATEWAY_API_CRDS = [fileURLToPath(new URL('../../../../shared/gateway-api/standard-install.yaml', import.meta.url)), '/work/shared/gateway-api/standard-install.yaml'];

let server: RealApiServer | undefined;
let kubectl: Kubectl;
let db: TestDatabase;
let operator: Operator | undefined;
let tenantId: string;

/** A provisioner that records what it was asked and answers one address per Gateway. */
const ensured: { gateway: string; apiKey: string; gatewayName: string }[] = [];
const released: string[] = [];
const provisioner: GatewayProvisioner = {
  ensure(gateway: ProvisionedGateway, options) {
    ensured.push({ gateway: `${gateway.metadata.namespace}/${gateway.metadata.name}`, ...options });
    return Promise.resolve({ addresses: [{ type: 'IPAddress', value: '198.18.0.9' }] });
  },
  release(gateway: ProvisionedGateway) {
    released.push(`${gateway.metadata.namespace}/${gateway.metadata.name}`);
    return Promise.resolve();
  },
};

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const apply = (object: unknown) => kubectlOk(kubectl, ['apply', '-f', '-'], JSON.stringify(object));

before(async () => {
  if (skipReason !== false) return;
  [server, db] = await Promise.all([startRealApiServer(), createTestDatabase()]);
  kubectl = kubectlFor(server.kubeconfigPath);
  const crds = GATEWAY_API_CRDS.find(isFile);
  assert.ok(crds, 'standard-install.yaml of Gateway API v1.6.1 is available');
  await kubectlOk(kubectl, ['apply', '-f', CRDS_DIR]);
  await kubectlOk(kubectl, ['apply', '--server-side', '-f', crds]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.novagate.dev', 'crd/gateways.gateway.networking.k8s.io', 'crd/httproutes.gateway.networking.k8s.io']);
  operator = await startOperator({
    kubeConfig: await operatorKubeConfig(kubectl, loadKubeConfig(server.kubeconfigPath)),
    pool: db.pool,
    log: createLogger('warn'),
    leaderElection: null,
    metricsPort: null,
    programmedPollMs: 300,
    provisioner,
    secretsEncryptionKey: randomBytes(32).toString('hex'),
  });
  await kubectlOk(kubectl, ['apply', '-f', `${CRDS_DIR}examples/tenant.yaml`]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Ready', 'tenant/acme', '--timeout=60s']);
  tenantId = (JSON.parse(await kubectlOk(kubectl, ['get', 'tenant', 'acme', '-o', 'json'])) as { status: { tenantId: string } }).status.tenantId;
  const gatewayClass = (name: string, controllerName: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: { controllerName, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name: 'acme' } },
  });
  await apply(gatewayClass('novagate', 'novagate.dev/gateway-controller'));
  await apply(gatewayClass('someone-else', 'example.com/gateway-controller'));
  await kubectlOk(kubectl, ['wait', '--for=condition=Accepted', 'gatewayclass/novagate', '--timeout=60s']);
});
after(async () => {
  await operator?.stop();
  kubectl?.dispose();
  await server?.stop();
  await db?.drop();
});

const skip = { skip: skipReason };

interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
interface GatewayView {
  metadata: { generation: number; finalizers?: string[]; uid: string };
  status?: {
    addresses?: { type: string; value: string }[];
    conditions?: ConditionView[];
    listeners?: { name: string; attachedRoutes: number; supportedKinds: { group: string; kind: string }[]; conditions: ConditionView[] }[];
  };
}

const gatewayObject = (name: string, className: string, listeners: unknown[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'default' },
  spec: { gatewayClassName: className, listeners },
});

async function readGateway(name: string): Promise<GatewayView | null> {
  const output = await kubectl.run(['get', 'gateway', name, '-n', 'default', '-o', 'json', '--ignore-not-found']);
  return output.stdout.trim() === '' ? null : (JSON.parse(output.stdout) as GatewayView);
}

const conditionOf = (conditions: readonly ConditionView[] | undefined, type: string) => conditions?.find((condition) => condition.type === type);

/** Waits until the Gateway's condition `type` has `status` for its current generation. */
async function gatewayWith(name: string, type: string, status: string): Promise<GatewayView> {
  return waitFor(
    async () => {
      const view = await readGateway(name);
      const condition = conditionOf(view?.status?.conditions, type);
      return view !== null && condition?.status === status && condition.observedGeneration === view.metadata.generation ? view : undefined;
    },
    `Gateway ${name} ${type}=${status}`,
    30_000,
  );
}

const listenersOfTenant = async () => [...(await readManagedEntities(db.pool, tenantId)).listeners.values()].map((row) => row.config);

test('a Gateway of our Accepted class is Accepted and Programmed, its listeners are in the tenant config with the owner, its key Secret is owned', skip, async () => {
  await apply(gatewayObject('edge', 'novagate', [
    { name: 'http', port: 80, protocol: 'HTTP' },
    { name: 'shop', port: 8080, protocol: 'HTTP', hostname: 'shop.example.com' },
  ]));
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'shop', namespace: 'default' },
    spec: { parentRefs: [{ name: 'edge', sectionName: 'shop' }], hostnames: ['shop.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] },
  });
  const view = await gatewayWith('edge', 'Programmed', 'True');
  assert.equal(conditionOf(view.status?.conditions, 'Accepted')?.reason, 'Accepted');
  assert.deepEqual(view.status?.addresses, [{ type: 'IPAddress', value: '198.18.0.9' }]);
  assert.ok(view.metadata.finalizers?.includes('novagate.dev/gateway-cleanup'));
  const listeners = await waitFor(async () => {
    const current = (await readGateway('edge'))?.status?.listeners;
    return current?.find((listener) => listener.name === 'shop')?.attachedRoutes === 1 ? current : undefined;
  }, 'the HTTPRoute counted on listener shop');
  assert.deepEqual(listeners.map((listener) => [listener.name, listener.attachedRoutes]), [['http', 0], ['shop', 1]]);
  for (const listener of listeners) {
    assert.deepEqual(listener.supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    assert.deepEqual(
      ['Accepted', 'ResolvedRefs', 'Conflicted', 'Programmed'].map((type) => `${type}=${conditionOf(listener.conditions, type)?.status}`),
      ['Accepted=True', 'ResolvedRefs=True', 'Conflicted=False', 'Programmed=True'],
    );
  }

  const stored = (await listenersOfTenant()).sort((a, b) => a.port - b.port);
  assert.deepEqual(stored.map(({ port, bindPort, protocol, hostname, gateway }) => ({ port, bindPort, protocol, hostname, gateway })), [
    { port: 80, bindPort: 10080, protocol: 'HTTP', hostname: undefined, gateway: 'default/edge' },
    { port: 8080, bindPort: undefined, protocol: 'HTTP', hostname: 'shop.example.com', gateway: 'default/edge' },
  ]);
  assert.ok(stored.every((listener) => listener.name.startsWith('gwapi.default.edge.')));

  const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'edge-novagate-gateway-key', '-n', 'default', '-o', 'json'])) as {
    data: { apiKey: string };
    metadata: { ownerReferences: { kind: string; name: string; uid: string }[] };
  };
  assert.deepEqual(secret.metadata.ownerReferences.map(({ kind, name, uid }) => ({ kind, name, uid })), [{ kind: 'Gateway', name: 'edge', uid: view.metadata.uid }]);
  const apiKey = Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  assert.equal(await apiKeyState(db.pool, tenantId, apiKey), 'active');
  const bound = await db.pool.query('SELECT gateway_owner FROM public.api_keys WHERE key_hash = $1', [createHash('sha256').update(apiKey).digest('hex')]);
  assert.deepEqual(bound.rows, [{ gateway_owner: 'default/edge' }], 'the key is bound to its Gateway');
  assert.ok(ensured.some((call) => call.gateway === 'default/edge' && call.apiKey === apiKey && call.gatewayName === 'default/edge'), 'the provisioner got the key and the GATEWAY_NAME');
});

// (Two listeners of one Gateway on one port and hostname, HostnameConflict, are refused by the CRD's own rules.)
test('conflicting listeners and a bad certificateRef set the listener conditions and stay out of the config', skip, async () => {
  await apply(gatewayObject('mixed', 'novagate', [
    { name: 'plain', port: 9000, protocol: 'HTTP' },
    { name: 'secure', port: 9000, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'no-such-secret' }] } },
    { name: 'tcp', port: 9200, protocol: 'TCP' },
    { name: 'fine', port: 9300, protocol: 'HTTP' },
  ]));
  const view = await waitFor(async () => {
    const current = await readGateway('mixed');
    return conditionOf(current?.status?.listeners?.find((listener) => listener.name === 'fine')?.conditions, 'Programmed')?.status === 'True' ? current : undefined;
  }, 'Gateway mixed with listener fine programmed');
  const reasons = Object.fromEntries(
    (view?.status?.listeners ?? []).map((listener) => [listener.name, ['Accepted', 'ResolvedRefs', 'Conflicted', 'Programmed'].map((type) => conditionOf(listener.conditions, type)?.reason).join(' ')]),
  );
  assert.deepEqual(reasons, {
    plain: 'Accepted ResolvedRefs ProtocolConflict Invalid',
    secure: 'Accepted InvalidCertificateRef ProtocolConflict Invalid',
    tcp: 'UnsupportedProtocol ResolvedRefs NoConflicts Invalid',
    fine: 'Accepted ResolvedRefs NoConflicts Programmed',
  });
  assert.equal(conditionOf(view?.status?.conditions, 'Accepted')?.reason, 'ListenersNotValid');
  const ports = (await listenersOfTenant()).filter((listener) => listener.gateway === 'default/mixed').map((listener) => listener.port);
  assert.deepEqual(ports, [9300]);
});

test('deleting a Gateway revokes its key, removes its listeners and releases its data plane', skip, async () => {
  const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'edge-novagate-gateway-key', '-n', 'default', '-o', 'json'])) as { data: { apiKey: string } };
  const apiKey = Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  await kubectlOk(kubectl, ['delete', 'gateway', 'edge', '-n', 'default', '--wait=true', '--timeout=60s']);
  assert.equal(await readGateway('edge'), null);
  assert.equal(await apiKeyState(db.pool, tenantId, apiKey), 'revoked');
  assert.deepEqual((await listenersOfTenant()).filter((listener) => listener.gateway === 'default/edge'), []);
  assert.ok(released.includes('default/edge'));
});

test('two Gateways of one tenant both serve port 80 for any host: each gateway process binds only its own', skip, async () => {
  await apply(gatewayObject('first', 'novagate', [{ name: 'http', port: 80, protocol: 'HTTP' }]));
  await apply(gatewayObject('second', 'novagate', [{ name: 'http', port: 80, protocol: 'HTTP' }]));
  await gatewayWith('first', 'Programmed', 'True');
  await gatewayWith('second', 'Programmed', 'True');
  const owners = (await listenersOfTenant()).filter((listener) => listener.port === 80).map((listener) => listener.gateway).sort();
  assert.deepEqual(owners, ['default/first', 'default/second']);
});

/** A self-signed certificate for `host` (openssl, EC P-256), as PEM. */
function selfSigned(host: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tlsSecret = (name: string, pem: { cert: string; key: string }) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
});

test('an HTTPS listener pushes its TLS Secret as a certificate with the key sealed; a key that does not match its certificate is refused', skip, async () => {
  const shop = selfSigned('secure.example.com');
  const other = selfSigned('other.example.com');
  await apply(tlsSecret('secure-cert', shop));
  await apply(tlsSecret('mismatched-cert', { cert: shop.cert, key: other.key }));
  await apply(gatewayObject('tls', 'novagate', [
    { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'secure.example.com', tls: { certificateRefs: [{ name: 'secure-cert' }] } },
    { name: 'broken', port: 8443, protocol: 'HTTPS', hostname: 'broken.example.com', tls: { certificateRefs: [{ name: 'mismatched-cert' }] } },
  ]));
  const view = await waitFor(async () => {
    const current = await readGateway('tls');
    const https = current?.status?.listeners?.find((listener) => listener.name === 'https');
    return conditionOf(https?.conditions, 'Programmed')?.status === 'True' ? current : undefined;
  }, 'Gateway tls with listener https programmed');
  const broken = view?.status?.listeners?.find((listener) => listener.name === 'broken');
  assert.equal(conditionOf(broken?.conditions, 'Programmed')?.reason, 'Invalid');
  assert.match(conditionOf(broken?.conditions, 'Programmed')?.message ?? '', /refused/);

  const listeners = (await listenersOfTenant()).filter((listener) => listener.gateway === 'default/tls');
  assert.deepEqual(listeners.map((listener) => [listener.port, listener.bindPort, listener.tls?.certificates.length]), [[443, 10443, 1]]);
  const schema = `"tenant_${tenantId.replaceAll('-', '_')}"`;
  const { rows } = await db.pool.query<{ name: string; managed_by: string; key_sealed: string; cert_pem: string }>(`SELECT name, managed_by, key_sealed, cert_pem FROM ${schema}.certificates ORDER BY name`);
  assert.deepEqual(rows.map((row) => [row.name, row.managed_by]), [[listeners[0]!.tls!.certificates[0], 'kubernetes']]);
  assert.ok(!rows[0]!.key_sealed.includes('PRIVATE KEY'), 'the key is sealed, not stored as PEM');
  assert.match(rows[0]!.cert_pem, /BEGIN CERTIFICATE/);

  await kubectlOk(kubectl, ['delete', 'gateway', 'tls', '-n', 'default', '--wait=true', '--timeout=60s']);
  const left = await db.pool.query(`SELECT name FROM ${schema}.certificates`);
  assert.deepEqual(left.rows, [], 'the certificate goes with the last listener naming it');
});

test("a Gateway moved to another Tenant's class revokes its key there, leaves that config and gets a key of the new Tenant", skip, async () => {
  await apply({
    apiVersion: 'novagate.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'globex', namespace: 'default' },
    spec: { displayName: 'Globex', plan: 'pro', ownerEmail: 'ops@globex.example.com', deletionPolicy: 'Delete' },
  });
  await kubectlOk(kubectl, ['wait', '--for=condition=Ready', 'tenant/globex', '--timeout=60s']);
  const globexId = (JSON.parse(await kubectlOk(kubectl, ['get', 'tenant', 'globex', '-o', 'json'])) as { status: { tenantId: string } }).status.tenantId;
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'globex' },
    spec: { controllerName: 'novagate.dev/gateway-controller', parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name: 'globex' } },
  });
  await kubectlOk(kubectl, ['wait', '--for=condition=Accepted', 'gatewayclass/globex', '--timeout=60s']);
  await apply(gatewayObject('mover', 'novagate', [{ name: 'http', port: 7000, protocol: 'HTTP' }]));
  await gatewayWith('mover', 'Programmed', 'True');
  const keyOf = async () => {
    const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'mover-novagate-gateway-key', '-n', 'default', '-o', 'json'])) as { data: { apiKey: string } };
    return Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  };
  const acmeKey = await keyOf();
  await kubectlOk(kubectl, ['patch', 'gateway', 'mover', '-n', 'default', '--type', 'merge', '-p', JSON.stringify({ spec: { gatewayClassName: 'globex' } })]);
  const globexListeners = await waitFor(async () => {
    const rows = [...(await readManagedEntities(db.pool, globexId)).listeners.values()].filter((row) => row.config.gateway === 'default/mover');
    return rows.length === 1 ? rows : undefined;
  }, "the Gateway's listener in Globex's config");
  assert.equal(globexListeners[0]?.config.port, 7000);
  assert.deepEqual((await listenersOfTenant()).filter((listener) => listener.gateway === 'default/mover'), [], "gone from Acme's config");
  assert.equal(await apiKeyState(db.pool, tenantId, acmeKey), 'revoked');
  const globexKey = await waitFor(async () => {
    const key = await keyOf();
    return key !== acmeKey ? key : undefined;
  }, 'a new key in the Secret');
  assert.equal(await apiKeyState(db.pool, globexId, globexKey), 'active');
});

test("a Gateway of another controller's class is left untouched", skip, async () => {
  await apply(gatewayObject('foreign', 'someone-else', [{ name: 'http', port: 8088, protocol: 'HTTP' }]));
  await gatewayWith('mixed', 'Accepted', 'True'); // the operator is reconciling
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const view = await readGateway('foreign');
  assert.equal(conditionOf(view?.status?.conditions, 'Accepted')?.reason, 'Pending', 'the CRD default, untouched');
  assert.deepEqual(view?.metadata.finalizers ?? [], []);
  assert.equal((await kubectl.run(['get', 'secret', 'foreign-novagate-gateway-key', '-n', 'default', '--ignore-not-found'])).stdout.trim(), '');
  assert.deepEqual((await listenersOfTenant()).filter((listener) => listener.gateway === 'default/foreign'), []);
  assert.ok(!ensured.some((call) => call.gateway === 'default/foreign'));
});

test("a Gateway of the class in another namespace than its Tenant's is accepted: its listeners, an HTTPRoute of its namespace, its own key bound to it, its data plane", skip, async () => {
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
  await apply({ ...gatewayObject('outpost', 'novagate', [{ name: 'http', port: 7100, protocol: 'HTTP' }]), metadata: { name: 'outpost', namespace: 'dev' } });
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'dev-app', namespace: 'dev' },
    spec: { parentRefs: [{ name: 'outpost' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/dev' } }] }] },
  });
  const view = await waitFor(async () => {
    const output = await kubectl.run(['get', 'gateway', 'outpost', '-n', 'dev', '-o', 'json']);
    const current = JSON.parse(output.stdout) as GatewayView;
    const programmed = conditionOf(current.status?.conditions, 'Programmed');
    return programmed?.status === 'True' && current.status?.listeners?.[0]?.attachedRoutes === 1 ? current : undefined;
  }, 'Gateway dev/outpost Programmed=True with its HTTPRoute attached');
  assert.equal(conditionOf(view.status?.conditions, 'Accepted')?.reason, 'Accepted');
  assert.ok(view.metadata.finalizers?.includes('novagate.dev/gateway-cleanup'));
  assert.deepEqual((await listenersOfTenant()).filter((listener) => listener.gateway === 'dev/outpost').map((listener) => listener.port), [7100]);
  const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'outpost-novagate-gateway-key', '-n', 'dev', '-o', 'json'])) as { data: { apiKey: string } };
  const apiKey = Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  assert.equal(await apiKeyState(db.pool, tenantId, apiKey), 'active');
  // Bound to the Gateway: the hub sends this key only dev/outpost's slice of Acme's config, never the rest of it.
  const { rows } = await db.pool.query('SELECT gateway_owner FROM public.api_keys WHERE key_hash = $1', [createHash('sha256').update(apiKey).digest('hex')]);
  assert.deepEqual(rows, [{ gateway_owner: 'dev/outpost' }]);
  assert.ok(ensured.some((call) => call.gateway === 'dev/outpost' && call.apiKey === apiKey && call.gatewayName === 'dev/outpost'), 'a data plane with the key and its GATEWAY_NAME');
});

test('a Gateway moved to a class that is not Accepted revokes its key, leaves the old config and releases its data plane', skip, async () => {
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'nowhere' },
    spec: { controllerName: 'novagate.dev/gateway-controller', parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name: 'no-such-tenant' } },
  });
  await apply(gatewayObject('stray', 'novagate', [{ name: 'http', port: 7200, protocol: 'HTTP' }]));
  await gatewayWith('stray', 'Programmed', 'True');
  const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'stray-novagate-gateway-key', '-n', 'default', '-o', 'json'])) as { data: { apiKey: string } };
  const apiKey = Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  await kubectlOk(kubectl, ['patch', 'gateway', 'stray', '-n', 'default', '--type', 'merge', '-p', JSON.stringify({ spec: { gatewayClassName: 'nowhere' } })]);
  const view = await gatewayWith('stray', 'Accepted', 'False');
  assert.equal(conditionOf(view.status?.conditions, 'Accepted')?.reason, 'InvalidParameters');
  await waitFor(async () => ((await apiKeyState(db.pool, tenantId, apiKey)) === 'revoked' ? true : undefined), "the old tenant's key revoked");
  assert.deepEqual((await listenersOfTenant()).filter((listener) => listener.gateway === 'default/stray'), []);
  assert.ok(released.includes('default/stray'), 'the data plane released');
});

test('a Gateway moved to the Accepted class of a Tenant not provisioned (yet) revokes its old key and leaves the old config', skip, async () => {
  const acme = JSON.parse(await kubectlOk(kubectl, ['get', 'tenant', 'acme', '-o', 'json'])) as { spec: { ownerEmail: string } };
  // Acme's owner email: the Tenant exists (its class is Accepted) but is refused provisioning (OwnerEmailTaken).
  await apply({
    apiVersion: 'novagate.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'late', namespace: 'default' },
    spec: { displayName: 'Late', plan: 'pro', ownerEmail: acme.spec.ownerEmail, deletionPolicy: 'Delete' },
  });
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'late' },
    spec: { controllerName: 'novagate.dev/gateway-controller', parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name: 'late' } },
  });
  await kubectlOk(kubectl, ['wait', '--for=condition=Accepted', 'gatewayclass/late', '--timeout=60s']);
  await apply(gatewayObject('drifter', 'novagate', [{ name: 'http', port: 7300, protocol: 'HTTP' }]));
  await gatewayWith('drifter', 'Programmed', 'True');
  const secret = JSON.parse(await kubectlOk(kubectl, ['get', 'secret', 'drifter-novagate-gateway-key', '-n', 'default', '-o', 'json'])) as { data: { apiKey: string } };
  const apiKey = Buffer.from(secret.data.apiKey, 'base64').toString('utf8');
  await kubectlOk(kubectl, ['patch', 'gateway', 'drifter', '-n', 'default', '--type', 'merge', '-p', JSON.stringify({ spec: { gatewayClassName: 'late' } })]);
  await waitFor(async () => ((await apiKeyState(db.pool, tenantId, apiKey)) === 'revoked' ? true : undefined), "Acme's key of the Gateway revoked");
  await waitFor(async () => ((await listenersOfTenant()).some((listener) => listener.gateway === 'default/drifter') ? undefined : true), "the listener gone from Acme's config");
  const view = await gatewayWith('drifter', 'Programmed', 'False');
  assert.equal(conditionOf(view.status?.conditions, 'Programmed')?.reason, 'Pending');
});
