// Runs the real kubectl binary against a test server, with its own discovery cache so runs never share stale state.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** kubectl from PATH; a clear error when it is missing (CI has it). */
export function findKubectl(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error('kubectl was not found on PATH: install kubectl (1.27 or newer) to run the kube-api tests that drive it');
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  /** Runs kubectl to completion; `input` becomes its stdin (for `-f -`). */
  run(args: string[], input?: string): Promise<KubectlResult>;
  /** Starts kubectl and returns the process and its eventual result, for commands that block (wait, delete). */
  start(args: string[]): { child: ChildProcess; result: Promise<KubectlResult> };
  /** Removes kubectl's discovery cache folder. */
  dispose(): void;
}

export function kubectlFor(kubeconfigPath: string, binary = findKubectl()): Kubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: cacheDir, HOME: cacheDir };
  const start = (args: string[], input?: string): { child: ChildProcess; result: Promise<KubectlResult> } => {
    const child = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const result = new Promise<KubectlResult>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    // kubectl may exit before reading its stdin (a refused flag, an unreachable server): its exit code and stderr
    // tell the caller why, so the EPIPE of writing to it must not be an unhandled error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
    return { child, result };
  };
  return { run: (args, input) => start(args, input).result, start: (args) => start(args), dispose: () => rmSync(cacheDir, { recursive: true, force: true }) };
}

/** Runs kubectl and answers its stdout; when it fails, throws with the command and kubectl's stderr. */
export async function kubectlOk(kubectl: Kubectl, args: string[], input?: string): Promise<string> {
  const result = await kubectl.run(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}
