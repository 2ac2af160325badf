// Which test files can reach PostgreSQL: those whose imports (followed through the repository's own modules, the
// workspaces' @novagate/* names included, and the .ts files they start as child processes through `new URL('….ts')`)
// reach control-plane/src/testing/database.ts, the one test module that reads TEST_DATABASE_URL, or that read
// TEST_DATABASE_URL themselves. A file that reaches neither proves the same on every PostgreSQL version.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const WORKSPACES = { '@novagate/control-plane/': 'control-plane/src/', '@novagate/gateway/': 'gateway/src/', '@novagate/operator/': 'operator/src/', '@novagate/e2e/': 'e2e/src/' };
const DATABASE_MODULE = join(REPO, 'control-plane/src/testing/database.ts');

/** The .ts file an import specifier names, or null for a package outside the repository (or none found). */
function sourceOf(importer, specifier) {
  let base;
  if (specifier.startsWith('.')) base = resolve(dirname(importer), specifier);
  else {
    const workspace = Object.keys(WORKSPACES).find((prefix) => specifier.startsWith(prefix));
    if (workspace === undefined) return null;
    base = join(REPO, WORKSPACES[workspace], specifier.slice(workspace.length));
  }
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts'), base];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

/** Every specifier a module imports (static, dynamic, `export … from`) and every .ts file it names in `new URL`. */
function referencesOf(source) {
  const imports = [...source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
  const started = [...source.matchAll(/new URL\(\s*['"](\.[^'"]+\.tsx?)['"]/g)].map((match) => match[1]);
  return [...imports, ...started];
}

export function reachesPostgres(testFile) {
  const seen = new Set();
  const pending = [resolve(testFile)];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (file === DATABASE_MODULE) return true;
    const source = readFileSync(file, 'utf8');
    if (source.includes('TEST_DATABASE_URL')) return true;
    for (const specifier of referencesOf(source)) {
      const next = sourceOf(file, specifier);
      if (next !== null) pending.push(next);
    }
  }
  return false;
}
