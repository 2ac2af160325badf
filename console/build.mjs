// Builds the web console into dist/: one bundle per entry with content-hashed names under dist/assets/ (served
// immutable) and dist/index.html (served no-cache) naming them. Prints the first page's JavaScript size gzipped and
// fails above the budget (issue 19: 150 KB).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 150 * 1024;
const root = import.meta.dirname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src/main.tsx'), join(root, 'src/console.css')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.startsWith('main-') && name.endsWith('.js'));
const style = outputs.find((name) => name.startsWith('console-') && name.endsWith('.css'));
if (script === undefined || style === undefined) throw new Error(`the console build made no script or stylesheet: ${outputs.join(', ')}`);

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>NovaGate console</title>
<link rel="stylesheet" href="/console/assets/${style}">
<script type="module" src="/console/assets/${script}"></script>
</head>
<body>
<div id="app"><p>Loading the NovaGate console…</p></div>
</body>
</html>
`;
writeFileSync(join(dist, 'index.html'), html);

const gzipped = gzipSync(readFileSync(join(dist, 'assets', script)), { level: 9 }).length;
console.log(`console: first page JavaScript ${script} ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
if (gzipped > BUDGET_BYTES) {
  console.error(`console: the first page's JavaScript is ${gzipped} bytes gzipped, over the ${BUDGET_BYTES}-byte budget`);
  process.exit(1);
}
