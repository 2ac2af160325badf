// nginx for bench:gateway: one worker, keep-alive to the upstream, either plain HTTP or TLS 1.3 with HTTP/2 by
// ALPN. Access logs off for plain HTTP (the undici baseline logs nothing), to a file for TLS (NovaGate logs).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, startExternalProxy, type ExternalProxy, type Skipped } from './external-proxy.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export function nginxConfig(dir: string, port: number, upstreamPort: number, tls: TlsFiles | undefined): string {
  const listen = tls === undefined
    ? `listen 127.0.0.1:${port};\n    access_log off;`
    : `listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${tls.certFile}; ssl_certificate_key ${tls.keyFile}; ssl_protocols TLSv1.3;
    access_log ${dir}/access.log;`;
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000; keepalive_timeout 65s;
  upstream bench { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    ${listen}
    location / { proxy_pass http://bench; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
}

export async function startNginx(upstreamPort: number, tls?: TlsFiles): Promise<ExternalProxy | Skipped> {
  const binary = findBinary('nginx', '/usr/sbin/nginx');
  if (binary === undefined) return { skipped: 'not installed (apt-get install -y nginx-light)' };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'novagate-bench-nginx-'));
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreamPort, tls));
  return startExternalProxy(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], port, dir);
}
