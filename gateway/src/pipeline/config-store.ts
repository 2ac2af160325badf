// Holds the config in use and swaps it atomically: a request reads `current()` once when it starts and
// keeps that snapshot to its end. `apply` is the one entry for every config source (the standalone file
// today, the control-plane sync later): invalid input is refused whole and the last good config keeps serving.
import { configHash, validateGatewayConfig, type ConfigProblem, type GatewayConfig } from '../config/index.js';
import { compileConfig, unusedPools, type CompileDeps, type CompiledConfig } from './compile.js';

export type ApplyResult = { ok: true; version: number; hash: string; changed: boolean } | { ok: false; problems: ConfigProblem[] };

export interface ConfigStore {
  current(): CompiledConfig | undefined;
  /** Validates, compiles and swaps in `input`; `version` comes from the control plane, else it counts up. */
  apply(input: unknown, version?: number): ApplyResult;
  /** Closes every upstream pool (at shutdown). */
  close(): Promise<void>;
}

export interface ConfigStoreHooks {
  onApplied?: (compiled: CompiledConfig) => void;
  onRejected?: (problems: ConfigProblem[]) => void;
}

export function createConfigStore(deps: CompileDeps, hooks: ConfigStoreHooks = {}): ConfigStore {
  let current: CompiledConfig | undefined;
  let localVersion = 0;

  function refuse(problems: ConfigProblem[]): ApplyResult {
    hooks.onRejected?.(problems);
    return { ok: false, problems };
  }

  return {
    current: () => current,
    apply(input, version) {
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
      const previous = current;
      current = compiled.compiled;
      localVersion = nextVersion;
      if (previous !== undefined) for (const pool of unusedPools(previous, current)) void pool.close().catch(() => undefined);
      hooks.onApplied?.(current);
      return { ok: true, version: nextVersion, hash, changed: true };
    },
    async close() {
      const pools = new Set(current === undefined ? [] : [...current.services.values()].map((service) => service.pool));
      await Promise.all([...pools].map((pool) => pool.close().catch(() => undefined)));
    },
  };
}

export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
}
