// npm run bench:operator — 500 Routes across 5 tenants, one connected (acking) gateway each: time until every
// Route is Programmed, reconciles per second, and memory. Prints a table; it is a benchmark, not a test.
import { helloGateway, type ProtocolClient } from '@novagate/control-plane/testing/gateway-client';
import { answerConfigs, conditionOf, secretValue, startHarness, waitFor } from './harness.js';

const TENANTS = 5;
const ROUTES = 500;

const harness = await startHarness();
const gateways: ProtocolClient[] = [];
try {
  const operator = await harness.startOperator({ concurrency: 8, programmedPollMs: 250 });
  const tenants = Array.from({ length: TENANTS }, (_, i) => `bench-${i}`);
  await harness.kubectlOk(
    ['apply', '-f', '-'],
    tenants
      .map((name) => `apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: ${name}, namespace: default}
spec: {displayName: ${name}, plan: enterprise, ownerEmail: ${name}@example.com}
`)
      .join('---\n'),
  );
  for (const name of tenants) await harness.kubectlOk(['wait', '--for=condition=Ready', `tenant/${name}`, '--timeout=120s']);
  for (const name of tenants) {
    const gateway = await helloGateway(harness.controlPlane.url, secretValue(harness.object('secrets', `${name}-gateway-key`), 'apiKey'), { nodeId: `${name}-gw` });
    answerConfigs(gateway);
    gateways.push(gateway);
  }
  const routeNames = Array.from({ length: ROUTES }, (_, i) => `route-${String(i).padStart(3, '0')}`);
  const yaml = routeNames
    .map((name, i) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: ${name}, namespace: default}
spec:
  tenantRef: {name: ${tenants[i % TENANTS]}}
  upstream: {url: "http://${name}.default.svc:8080"}
  match: {paths: ["/${name}/*"]}
`)
    .join('---\n');
  const reconcilesBefore = await reconciles();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  await harness.kubectlOk(['apply', '-f', '-'], yaml);
  const applied = performance.now();
  // Polls only the Routes not yet seen Programmed, every 200 ms: the API test server shares this process.
  const pending = new Set(routeNames);
  await waitFor(
    async () => {
      for (const name of pending) if (conditionOf(harness.object('routes', name), 'Programmed')?.status === 'True') pending.delete(name);
      if (pending.size === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return false;
    },
    'every route to be Programmed',
    180_000,
  );
  const programmed = performance.now();
  const reconcileCount = (await reconciles()) - reconcilesBefore;
  const seconds = (programmed - started) / 1000;
  const memory = process.memoryUsage();
  console.table({
    'routes / tenants': `${ROUTES} / ${TENANTS}`,
    'kubectl apply (s)': ((applied - started) / 1000).toFixed(2),
    'apply → all Programmed (s)': seconds.toFixed(2),
    'route reconciles': reconcileCount,
    'reconciles per second': (reconcileCount / seconds).toFixed(1),
    'heap growth (MiB)': ((memory.heapUsed - heapBefore) / 2 ** 20).toFixed(1),
    'process RSS (MiB, operator + kube-api + control plane)': (memory.rss / 2 ** 20).toFixed(1),
  });

  if (process.env.BENCH_DEBUG) console.log(await operator.metrics.registry.getSingleMetricAsString('novagate_reconcile_duration_seconds'));
  async function reconciles(): Promise<number> {
    const text = await operator.metrics.registry.getSingleMetricAsString('novagate_reconcile_total');
    return [...text.matchAll(/novagate_reconcile_total\{kind="route",result="[a-z]+"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  }
} finally {
  for (const gateway of gateways) gateway.close();
  await harness.close();
}
