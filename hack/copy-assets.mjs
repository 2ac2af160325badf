#!/usr/bin/env node
// Copies non-TypeScript assets (e.g. SQL migrations) from a source tree to its build output, keeping paths.
// Usage: copy-assets.mjs <from> <to> <extension>
import { cpSync, statSync } from 'node:fs';

const [from, to, extension] = process.argv.slice(2);
if (!from || !to || !extension) {
  console.error('usage: copy-assets.mjs <from> <to> <extension>');
  process.exit(2);
}
cpSync(from, to, {
  recursive: true,
  filter: (source) => source.endsWith(extension) || statSync(source).isDirectory(),
});
