// A real kube-apiserver (+ etcd) for one test file, started with the shared start.sh on free ports and stopped
// after; `skipReason` says in one line why a test cannot have one (no start.sh, no etcd), so it is skipped, not failed.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** start.sh beside the repository (`../shared/kube/`, as on the CI machines) or in /work/shared/kube. */
const candidates = [fileURLToPath(new URL('../../../../shared/kube/start.sh', import.meta.url)), '/work/shared/kube/start.sh'];
export const startScript = candidates.find((candidate) => existsSync(candidate));

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why no real API server can be started here, or false when one can. */
export const skipReason: string | false =
  startScript === undefined
    ? `no real kube-apiserver: start.sh not found in ${candidates.join(' or ')}`
    : !onPath('etcd')
      ? 'no real kube-apiserver: etcd is not on PATH (install Debian\'s etcd-server, or run shared/kube/start.sh once as root)'
      : !onPath('kubectl')
        ? 'no real kube-apiserver test: kubectl is not on PATH'
        : false;

/** `count` distinct free ports: every probe stays open until all have theirs (a port just freed can come back at once). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', args, { timeout: 120_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

export interface RealApiServer {
  kubeconfigPath: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startRealApiServer(): Promise<RealApiServer> {
  if (startScript === undefined || skipReason !== false) throw new Error(String(skipReason));
  const dir = mkdtempSync(join(tmpdir(), 'novagate-real-kube-'));
  // etcd takes ETCD_PORT and ETCD_PORT+1 (peer): ask for the peer port explicitly so both are free.
  const [etcdPort, peerPort, apiPort] = (await freePorts(3)) as [number, number, number];
  const started = await run([startScript, String(etcdPort), String(apiPort), dir], { ETCD_PEER_PORT: String(peerPort) });
  if (started.code !== 0) {
    await run([startScript, 'stop', dir]);
    throw new Error(`start.sh failed (${started.code}): ${started.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return {
    kubeconfigPath: join(dir, 'kubeconfig'),
    dir,
    async stop() {
      await run([startScript, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
