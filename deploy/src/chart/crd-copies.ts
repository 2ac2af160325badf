// Compares the chart's crds/ folder with the top-level crds/ it is a copy of. Helm installs the *.yaml,
// *.yml and *.json files of a chart's crds/, so those are the files compared (a .gitkeep is not). Subfolders
// of the top-level crds/ (examples/) hold custom resources, not definitions: they must never reach the chart.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const manifest = /\.(ya?ml|json)$/;

/** Manifest files directly in dir (sorted); none when dir does not exist. */
export function crdFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((entry) => manifest.test(entry) && !statSync(join(dir, entry)).isDirectory());
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
