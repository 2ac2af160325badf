// `npm run bench:routes --workspace gateway`: the gateway's heap per route, compiling configs of 1,000 and 10,000
// routes (two paths each), for docs/production.md's sizing. Prints a table; asserts nothing. Runs with
// --expose-gc so that the heap is measured after a full collection.
import { createConfigStore } from '../src/pipeline/config-store.js';
import { createMemoryBackend } from '../src/policies/rate-limit/memory-backend.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function routeConfig(routes: number): unknown {
  return {
    services: [{ name: 'users', url: 'http://users:8080' }],
    routes: Array.from({ length: routes }, (_, i) => ({ name: `route-${i}`, service: 'users', paths: [`/r${i}/:id`, `/v${i}/*`], methods: ['GET'] })),
    consumers: [],
  };
}

async function gatewayFigures(): Promise<Record<string, string>> {
  const deps = {
    tenant: 'default',
    jwtSecret: undefined,
    rateLimitBackend: createMemoryBackend(),
    failureMode: 'open' as const,
    now: Date.now,
    onRateLimitBackendError: () => undefined,
    onRateLimited: () => undefined,
  };
  const figures: Record<string, string> = {};
  for (const routes of [1_000, 10_000]) {
    const config = routeConfig(routes);
    gc();
    const before = process.memoryUsage().heapUsed;
    const store = createConfigStore(deps);
    const applied = await store.apply(config);
    if (!applied.ok) throw new Error('sizing config refused');
    gc();
    const after = process.memoryUsage().heapUsed;
    figures[`gateway heap per route (${routes} routes, 2 paths each)`] = `${((after - before) / routes / 1024).toFixed(2)} KiB`;
    void store.current();
  }
  return figures;
}

const rows = await gatewayFigures();
const width = Math.max(...Object.keys(rows).map((key) => key.length));
for (const [key, value] of Object.entries(rows)) console.log(`${key.padEnd(width)}  ${value}`);
