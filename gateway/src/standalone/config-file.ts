// Standalone mode (like Kong DB-less): the declarative config file, YAML or JSON, read whole, and the watch
// that notices it change (standalone-source.ts applies it). A bad file never replaces a good config.
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import yaml from 'js-yaml';
import type { ConfigProblem } from '../config/index.js';

export type FileRead = { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] };

/** Reads and parses the file; `.json` as JSON, anything else as YAML (which also reads JSON). */
export function readConfigFile(path: string, maxBytes: number): FileRead {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) return { ok: false, problems: [{ path: '', message: `config file is ${size} bytes, more than MAX_CONFIG_BYTES (${maxBytes})` }] };
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    return { ok: false, problems: [{ path: '', message: `cannot read config file ${path}: ${code}` }] };
  }
  try {
    const value: unknown = path.endsWith('.json') ? JSON.parse(text) : yaml.load(text, { schema: yaml.JSON_SCHEMA });
    return { ok: true, value: value ?? {} };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'parse error';
    return { ok: false, problems: [{ path: '', message: `config file is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${reason}` }] };
  }
}

/** Calls `onChange` (debounced) when the file is written, replaced or renamed into place. */
export function watchConfigFile(path: string, onChange: () => void, debounceMs = 150): () => void {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, filename) => {
      if (filename !== null && filename !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
