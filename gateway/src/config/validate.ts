// Validation of a gateway configuration into either the typed config or a list of problems whose paths
// read like `routes[2].paths[0]`.
import type { z } from 'zod';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

export interface ConfigProblem {
  /** Where the problem is, e.g. `routes[2].paths[0]`; empty for the document itself. */
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** Formats a zod issue path as `routes[2].paths[0]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Turns zod issues into problems, naming unknown fields one by one. */
export function problemsFromZodError(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: formatIssuePath([...path, key]), message: 'unknown field' });
    } else {
      problems.push({ path: formatIssuePath(path), message: issue.message });
    }
  }
  return problems;
}

/** Validates anything against a zod schema, returning problems with readable paths. */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFromZodError(result.error) };
}

export function validateGatewayConfig(input: unknown): ValidationResult<GatewayConfig> {
  return validateWith(gatewayConfigSchema, input);
}
