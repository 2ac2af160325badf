// A small HTTP/2 load generator for bench:gateway when h2load is not installed: `connections` TLS sessions
// (ALPN h2) each keeping `streams` requests in flight for `seconds`, with req/s, p50, p99 and non-2xx counts.
import { connect, type ClientHttp2Session } from 'node:http2';
import type { WrkResult } from '../src/testing/wrk.js';
import type { H2loadOptions } from './h2load.js';

export async function runNodeH2Load(url: string, options: H2loadOptions): Promise<WrkResult> {
  const target = new URL(url);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const stopAt = performance.now() + options.seconds * 1000;
  const sessions: ClientHttp2Session[] = [];
  const oneStream = (session: ClientHttp2Session): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const stream = session.request({ ':path': target.pathname + target.search, ...options.headers });
      stream.on('response', (headers) => {
        const status = Number(headers[':status']);
        if (status < 200 || status >= 400) non2xx++;
      });
      stream.on('data', () => undefined);
      stream.on('end', () => {
        latencies.push(performance.now() - started);
        resolve();
      });
      stream.on('error', () => {
        errors++;
        resolve();
      });
    });
  const worker = async (session: ClientHttp2Session): Promise<void> => {
    while (performance.now() < stopAt && !session.destroyed) await oneStream(session);
  };
  const began = performance.now();
  for (let i = 0; i < options.connections; i++) sessions.push(connect(target.origin, { rejectUnauthorized: false }));
  await Promise.all(sessions.flatMap((session) => Array.from({ length: options.streams }, () => worker(session))));
  const elapsedSeconds = (performance.now() - began) / 1000;
  for (const session of sessions) session.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => (latencies.length === 0 ? NaN : (latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] as number));
  return { rps: latencies.length / elapsedSeconds, p50ms: at(50), p99ms: at(99), non2xx: non2xx + errors };
}
