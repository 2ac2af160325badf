// Active health's probe: one GET of the configured path on a connection of its own to the target (never the
// pool or session client requests queue on), healthy on a 2xx or 3xx within the timeout. The response body is
// discarded.
import { constants } from 'node:http2';
import type { UpstreamTarget } from './service-pool.js';

export function probeTarget(target: UpstreamTarget, path: string, timeoutMs: number): Promise<boolean> {
  const { client, h2 } = target.connection.probe();
  const healthyStatus = (status: number) => status >= 200 && status < 400;
  if (client !== undefined) {
    return client
      .request({
        servername: target.connection.spec.servername,
        method: 'GET',
        path,
        headers: { host: target.authority, 'user-agent': 'novagate-health-check' },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      } as Parameters<typeof client.request>[0])
      .then(async (response) => {
        await response.body.dump().catch(() => undefined);
        return healthyStatus(response.statusCode);
      })
      .catch(() => false);
  }
  if (h2 === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    let stream: ReturnType<typeof h2.request>;
    try {
      stream = h2.request({ ':method': 'GET', ':path': path, ':authority': target.authority, 'user-agent': 'novagate-health-check' }, true);
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      stream.close(constants.NGHTTP2_CANCEL);
      resolve(false);
    }, timeoutMs);
    stream.on('response', (headers) => {
      clearTimeout(timer);
      resolve(healthyStatus(Number(headers[':status'])));
      stream.close(constants.NGHTTP2_CANCEL);
    });
    stream.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
    stream.resume();
  });
}
