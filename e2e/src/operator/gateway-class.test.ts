// The GatewayClass controller on a real kube-apiserver (the Gateway API CRDs' CEL needs it), running with the
// chart's RBAC: without the Gateway API CRDs the operator is ready and reconciles its own kinds; once they are
// installed, classes of novagate.dev/gateway-controller get Accepted from the Tenant their parametersRef names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { createLogger, startOperator, type Operator } from '@novagate/operator';
import { kubectlFor, kubectlOk, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { CRDS_DIR, waitFor } from './harness.js';
import { loadKubeConfig, operatorKubeConfig } from './real-kube.js';

const GATEWAY_API_CRDS = [fileURLToPath(new URL('../../../../shared/gateway-api/standard-install.yaml', import.meta.url)), '/work/shared/gateway-api/standard-install.yaml'];

let server: RealApiServer | undefined;
let kubectl: Kubectl;
let db: TestDatabase;
let operator: Operator | undefined;
const lines: { level: string; message: string; missingCrd?: string }[] = [];

before(async () => {
  if (skipReason !== false) return;
  [server, db] = await Promise.all([startRealApiServer(), createTestDatabase()]);
  kubectl = kubectlFor(server.kubeconfigPath);
  await kubectlOk(kubectl, ['apply', '-f', CRDS_DIR]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.novagate.dev', 'crd/routes.novagate.dev', 'crd/consumers.novagate.dev']);
  operator = await startOperator({
    kubeConfig: await operatorKubeConfig(kubectl, loadKubeConfig(server.kubeconfigPath)),
    pool: db.pool,
    log: createLogger('debug', (line) => lines.push(JSON.parse(line) as (typeof lines)[number])),
    leaderElection: null,
    metricsPort: 0,
    metricsHost: '127.0.0.1',
  });
});
after(async () => {
  await operator?.stop();
  kubectl?.dispose();
  await server?.stop();
  await db?.drop();
});

const skip = { skip: skipReason };

interface GatewayClassView {
  metadata: { generation: number };
  status?: { conditions?: { type: string; status: string; reason: string; message: string; observedGeneration?: number }[]; supportedFeatures?: unknown[] };
}

const gatewayClass = (name: string, controllerName: string, parametersRef: Record<string, string> | null) =>
  JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: { controllerName, ...(parametersRef === null ? {} : { parametersRef }) },
  });

async function readClass(name: string): Promise<GatewayClassView> {
  return JSON.parse(await kubectlOk(kubectl, ['get', 'gatewayclass', name, '-o', 'json'])) as GatewayClassView;
}

/** Waits until the class's Accepted condition has the status and reason, for its current generation. */
async function acceptedOf(name: string, status: string, reason: string) {
  return waitFor(
    async () => {
      const view = await readClass(name);
      const accepted = view.status?.conditions?.find((condition) => condition.type === 'Accepted');
      return accepted?.status === status && accepted.reason === reason && accepted.observedGeneration === view.metadata.generation ? { view, accepted } : undefined;
    },
    `GatewayClass ${name} Accepted=${status} (${reason})`,
    30_000,
  );
}

const tenantRef = (name: string) => ({ group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name });

test('without the Gateway API CRDs the operator is ready, reconciles Tenants, and says once at info level that GatewayClasses wait', skip, async () => {
  await kubectlOk(kubectl, ['apply', '-f', `${CRDS_DIR}examples/tenant.yaml`]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Ready', 'tenant/acme', '--timeout=60s']);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${operator!.healthPort}/readyz`)).status === 200, '/readyz to answer 200', 30_000);
  const said = lines.filter((line) => line.missingCrd === 'gatewayclasses.gateway.networking.k8s.io');
  assert.equal(said.length, 1, JSON.stringify(said));
  assert.equal(said[0]!.level, 'info');
  assert.ok(!lines.some((line) => (line.level === 'warn' || line.level === 'error') && /gatewayclass/i.test(JSON.stringify(line))), 'no warning about the optional CRD');
});

test('once the Gateway API CRDs are installed, a class naming an existing Tenant is Accepted, with no supported features and an Event', skip, async () => {
  const crds = GATEWAY_API_CRDS.find(isFile);
  assert.ok(crds, 'standard-install.yaml of Gateway API v1.6.1 is available');
  await kubectlOk(kubectl, ['apply', '--server-side', '-f', crds]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/gatewayclasses.gateway.networking.k8s.io']);
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayClass('novagate', 'novagate.dev/gateway-controller', tenantRef('acme')));
  const { view, accepted } = await acceptedOf('novagate', 'True', 'Accepted');
  assert.match(accepted.message, /Tenant default\/acme/);
  assert.deepEqual(view.status?.supportedFeatures, [{ name: 'Gateway' }, { name: 'HTTPRoute' }, { name: 'ReferenceGrant' }], 'the features the conformance run proves');
  assert.equal(view.status?.conditions?.length, 1, 'the CRD default Pending condition is replaced, not kept beside');
  assert.ok(lines.some((line) => line.level === 'info' && /gatewayclasses\.gateway\.networking\.k8s\.io is served now/.test(line.message)));
  const events = await waitFor(
    async () => {
      const list = JSON.parse(await kubectlOk(kubectl, ['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.kind=GatewayClass,involvedObject.name=novagate', '-o', 'json'])) as { items: { reason: string }[] };
      return list.items.length > 0 ? list.items : undefined;
    },
    'an Event for the GatewayClass',
  );
  assert.deepEqual(events.map((event) => event.reason), ['Accepted']);
});

test('a class naming a missing Tenant is InvalidParameters, and Accepted once that Tenant exists', skip, async () => {
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayClass('later', 'novagate.dev/gateway-controller', tenantRef('globex')));
  const { accepted } = await acceptedOf('later', 'False', 'InvalidParameters');
  assert.match(accepted.message, /Tenant default\/globex, which does not exist/);
  await kubectlOk(
    kubectl,
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'novagate.dev/v1alpha1',
      kind: 'Tenant',
      metadata: { name: 'globex', namespace: 'default' },
      spec: { displayName: 'Globex', plan: 'free', ownerEmail: 'ops@globex.example.com', deletionPolicy: 'Delete' },
    }),
  );
  await acceptedOf('later', 'True', 'Accepted');
});

test('a parametersRef of another kind, or none, is InvalidParameters naming the field; a spec change is seen at its new generation', skip, async () => {
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayClass('wrong-kind', 'novagate.dev/gateway-controller', { group: '', kind: 'ConfigMap', namespace: 'default', name: 'settings' }));
  assert.match((await acceptedOf('wrong-kind', 'False', 'InvalidParameters')).accepted.message, /must be group novagate\.dev, kind Tenant; got group "", kind "ConfigMap"/);
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayClass('no-parameters', 'novagate.dev/gateway-controller', null));
  assert.match((await acceptedOf('no-parameters', 'False', 'InvalidParameters')).accepted.message, /spec\.parametersRef must name the NovaGate Tenant/);
  await kubectlOk(kubectl, ['patch', 'gatewayclass', 'no-parameters', '--type', 'merge', '-p', JSON.stringify({ spec: { parametersRef: tenantRef('acme') } })]);
  const { view } = await acceptedOf('no-parameters', 'True', 'Accepted');
  assert.equal(view.metadata.generation, 2);
});

test("another controller's class is left as the API server wrote it", skip, async () => {
  await kubectlOk(kubectl, ['apply', '-f', '-'], gatewayClass('someone-else', 'example.com/gateway-controller', tenantRef('acme')));
  await acceptedOf('novagate', 'True', 'Accepted'); // the operator is reconciling
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const accepted = (await readClass('someone-else')).status?.conditions?.find((condition) => condition.type === 'Accepted');
  assert.equal(accepted?.reason, 'Pending', 'the CRD default, untouched');
});

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
