// Benchmark baseline: the barest useful proxy, a node:http server forwarding every request with an undici pool.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.env.UPSTREAM as string, { keepAliveTimeout: 4_000 });
const server = createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers.connection;
  delete headers.host;
  pool
    .request({ method: req.method as 'GET', path: req.url as string, headers, body: req.method === 'GET' ? null : req })
    .then((upstream) => {
      res.writeHead(upstream.statusCode, upstream.headers as Record<string, string>);
      upstream.body.on('error', () => res.destroy());
      upstream.body.pipe(res);
    })
    .catch(() => {
      res.statusCode = 502;
      res.end();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
