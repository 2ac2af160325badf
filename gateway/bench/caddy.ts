// Caddy for bench:gateway: a JSON config with one server, TLS 1.3 from the test certificate (no automatic
// HTTPS, no admin endpoint), HTTP/1.1 and h2 by ALPN, reverse_proxy to the upstream, access log to a file as
// NovaGate logs; GOMAXPROCS=1 so that it runs one worker as the others do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, startExternalProxy, type ExternalProxy, type Skipped } from './external-proxy.js';
import type { TlsFiles } from './nginx.js';

export function caddyConfig(dir: string, port: number, upstreamPort: number, tls: TlsFiles): unknown {
  return {
    admin: { disabled: true },
    logging: {
      logs: {
        default: { level: 'WARN', exclude: ['http.log.access'] },
        access: { writer: { output: 'file', filename: join(dir, 'access.log') }, include: ['http.log.access'] },
      },
    },
    apps: {
      http: {
        servers: {
          bench: {
            listen: [`127.0.0.1:${port}`],
            protocols: ['h1', 'h2'],
            automatic_https: { disable: true },
            tls_connection_policies: [{ protocol_min: 'tls1.3' }],
            logs: {},
            routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: `127.0.0.1:${upstreamPort}` }] }] }],
          },
        },
      },
      tls: { certificates: { load_files: [{ certificate: tls.certFile, key: tls.keyFile }] } },
    },
  };
}

export async function startCaddy(upstreamPort: number, tls: TlsFiles): Promise<ExternalProxy | Skipped> {
  const binary = findBinary('caddy');
  if (binary === undefined) return { skipped: 'not installed (apt-get install -y caddy)' };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'novagate-bench-caddy-'));
  writeFileSync(join(dir, 'caddy.json'), JSON.stringify(caddyConfig(dir, port, upstreamPort, tls), null, 2));
  // Caddy keeps its state under XDG_DATA_HOME/XDG_CONFIG_HOME: the temporary directory, not root's home.
  return startExternalProxy(binary, ['run', '--config', join(dir, 'caddy.json')], port, dir, {
    GOMAXPROCS: '1',
    XDG_DATA_HOME: dir,
    XDG_CONFIG_HOME: dir,
  });
}
