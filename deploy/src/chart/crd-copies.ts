// Compares the chart's crds/ folder with the top-level crds/ it is a copy of. Helm installs the *.yaml,
// *.yml and *.json files of a chart's crds/, so those are the files compared (a .gitkeep is not).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const manifest = /\.(ya?ml|json)$/;

/** Manifest files below dir (relative paths, sorted); none when dir does not exist. */
export function crdFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...crdFiles(path, `${prefix}${entry}/`));
    else if (manifest.test(entry)) files.push(`${prefix}${entry}`);
  }
  return files;
}

/** What differs between two crds/ folders, one line per file; empty when they are the same. */
export function crdDifferences(source: string, copy: string): string[] {
  const sourceFiles = crdFiles(source);
  const copyFiles = crdFiles(copy);
  const differences: string[] = [];
  for (const file of sourceFiles) if (!copyFiles.includes(file)) differences.push(`${file}: missing from ${copy}`);
  for (const file of copyFiles) if (!sourceFiles.includes(file)) differences.push(`${file}: not in ${source}`);
  for (const file of sourceFiles.filter((candidate) => copyFiles.includes(candidate))) {
    if (!readFileSync(join(source, file)).equals(readFileSync(join(copy, file)))) differences.push(`${file}: contents differ`);
  }
  return differences;
}
