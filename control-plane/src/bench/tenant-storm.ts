// Tenant B's storm for noisy-tenant.bench.ts, in its own process so that generating 500 clients' load does not
// slow down the event loop that times tenant A's reads. Prints B's answers by status as one JSON line.
// `tsx tenant-storm.ts <base> <tenantId> <token> <serviceId> <seconds> <honour-retry-after: yes|no> <first name number>`
import { performance } from 'node:perf_hooks';
import { Pool as HttpPool } from 'undici';

const [base, tenantId, token, serviceId, secondsArg, honourArg, firstArg] = process.argv.slice(2) as string[];
const CLIENTS = 500;
const http = new HttpPool(base as string, { connections: CLIENTS });
const honourRetryAfter = honourArg === 'yes';
const statuses: Record<number, number> = {};
let sent = Number(firstArg);
const end = performance.now() + Number(secondsArg) * 1_000;

async function send(i: number): Promise<number> {
  const [method, path, body] =
    i % 4 === 0
      ? ['POST', '/routes', { name: `storm-${i}`, service: 'svc', paths: [`/s${i}`] }]
      : i % 4 === 1
        ? ['PUT', `/services/${serviceId}`, { name: 'svc', url: `http://svc-${i}:80` }]
        : i % 4 === 2
          ? ['GET', '/routes', undefined]
          : ['GET', `/routes/${serviceId}`, undefined]; // not a route: 404 after a database read
  const response = await http.request({
    method: method as 'GET',
    path: `/api/v1/tenants/${tenantId}${path}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.body.arrayBuffer();
  return response.statusCode;
}

const start = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < end) {
      const status = await send(sent++);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (honourRetryAfter && (status === 429 || status === 503)) await new Promise((r) => setTimeout(r, 1_000));
    }
  }),
);
await http.close();
console.log(JSON.stringify({ statuses, seconds: (performance.now() - start) / 1000, sent }));
