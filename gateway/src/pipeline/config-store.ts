// Holds the config in use and swaps it atomically: a request reads `current()` once when it starts and
// keeps that snapshot to its end. `apply` is the one entry for every config source (the standalone file
// and the control-plane sync): invalid input, or a config whose new listeners cannot bind, is refused whole and
// the last good config keeps serving. Applies run one at a time, in the order they were asked for.
import { configHash, validateGatewayConfig, type ConfigProblem, type GatewayConfig } from '../config/index.js';
import { compileConfig, releaseServices, type CompileDeps, type CompiledConfig } from './compile.js';

export type ApplyResult = { ok: true; version: number; hash: string; changed: boolean } | { ok: false; problems: ConfigProblem[] };

export interface ConfigStore {
  current(): CompiledConfig | undefined;
  /** Validates, compiles, opens its new listeners and swaps in `input`; `version` comes from the control plane, else it counts up. */
  apply(input: unknown, version?: number): Promise<ApplyResult>;
  /** Stops health checks and closes every upstream connection (at shutdown). */
  close(): Promise<void>;
}

/** The listeners of a compiled config, bound and ready: `commit` switches to them, `abort` lets them go. */
export interface ListenerSwitch {
  commit(): void;
  abort(): void;
}

export type PreparedListeners = { ok: true; listeners: ListenerSwitch } | { ok: false; problems: ConfigProblem[] };

export interface ConfigStoreHooks {
  onApplied?: (compiled: CompiledConfig) => void;
  onRejected?: (problems: ConfigProblem[]) => void;
  /** Binds what `compiled` adds before anything switches (the listener manager); absent: nothing to bind. */
  prepareListeners?: (compiled: CompiledConfig) => Promise<PreparedListeners>;
}

export function createConfigStore(deps: CompileDeps, hooks: ConfigStoreHooks = {}): ConfigStore {
  let current: CompiledConfig | undefined;
  let localVersion = 0;

  function refuse(problems: ConfigProblem[]): ApplyResult {
    hooks.onRejected?.(problems);
    return { ok: false, problems };
  }

  async function applyNow(input: unknown, version: number | undefined): Promise<ApplyResult> {
      const validated = validateGatewayConfig(input);
      if (!validated.ok) return refuse(validated.problems);
      const config: GatewayConfig = validated.value;
      const hash = configHash(config);
      if (current !== undefined && current.hash === hash && (version === undefined || version === current.version)) {
        return { ok: true, version: current.version, hash, changed: false };
      }
      const nextVersion = version ?? localVersion + 1;
      const compiled = compileConfig(config, { version: nextVersion, hash }, deps, current);
      if (!compiled.ok) return refuse(compiled.problems);
      const prepared = hooks.prepareListeners === undefined ? undefined : await hooks.prepareListeners(compiled.compiled);
      if (prepared !== undefined && !prepared.ok) {
        // The pools this config made for itself would otherwise stay open.
        void releaseServices(compiled.compiled);
        return refuse(prepared.problems);
      }
      const previous = current;
      current = compiled.compiled;
      localVersion = nextVersion;
      prepared?.listeners.commit();
      if (previous !== undefined) void releaseServices(previous, current);
      hooks.onApplied?.(current);
      return { ok: true, version: nextVersion, hash, changed: true };
  }

  let queue: Promise<unknown> = Promise.resolve();
  return {
    current: () => current,
    apply(input, version) {
      const result = queue.then(() => applyNow(input, version));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      if (current !== undefined) await releaseServices(current);
    },
  };
}

export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
}
