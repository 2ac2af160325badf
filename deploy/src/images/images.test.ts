// The images, checked by reading the Dockerfile and .dockerignore (no Docker engine runs here): each
// program has a multi-stage target on a pinned Node 22 base, runs as uid 1000 with production
// dependencies only, writes nothing at run time, and the build context keeps secrets and tests out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../tools.js';
import { dockerignoreExcludes, parseDockerfile, resolveBase, stageChain, type Dockerfile } from './dockerfile.js';

const dockerfile: Dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
const programs = [
  { target: 'control-plane', entry: 'control-plane/dist/main.js', deps: 'control-plane-deps', needs: ['gateway', 'control-plane'], ports: '8080' },
  { target: 'gateway', entry: 'gateway/dist/main.js', deps: 'gateway-deps', needs: ['gateway'], ports: '8000 9100' },
  { target: 'operator', entry: 'operator/dist/main.js', deps: 'operator-deps', needs: ['gateway', 'control-plane', 'operator'], ports: '8081' },
] as const;

test('every base image is Node 22 on Debian bookworm-slim, pinned by tag, never latest', () => {
  for (const stage of dockerfile.stages) {
    if (dockerfile.stages.some((other) => other.name === stage.base)) continue;
    const image = resolveBase(dockerfile, stage.base);
    assert.match(image, /^node:22[\w.-]*-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `${stage.name}: ${image}`);
    assert.ok(!/:latest\b/.test(image));
  }
});

test('no ADD at all (so none of a URL), no HEALTHCHECK, no curl or wget piped into the build', () => {
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      assert.notEqual(instruction.keyword, 'ADD', `${stage.name}: ADD ${instruction.args}`);
      assert.notEqual(instruction.keyword, 'HEALTHCHECK', `${stage.name} has a HEALTHCHECK`);
      if (instruction.keyword === 'RUN') assert.ok(!/\b(curl|wget)\b/.test(instruction.args), `${stage.name}: ${instruction.args}`);
    }
  }
});

for (const program of programs) {
  test(`${program.target}: a multi-stage target that runs as uid 1000 with production dependencies only`, () => {
    const chain = stageChain(dockerfile, program.target);
    const instructions = chain.flatMap((stage) => stage.instructions);
    const users = instructions.filter((instruction) => instruction.keyword === 'USER').map((instruction) => instruction.args);
    assert.ok(users.length > 0 && /^(node|1000)(:(node|1000))?$/.test(users.at(-1)!), `USER ${users.at(-1)}`);
    // Nothing runs in the runtime image: no RUN, so no npm install and no file written into it.
    assert.deepEqual(instructions.filter((instruction) => instruction.keyword === 'RUN'), []);
    assert.ok(instructions.some((instruction) => instruction.keyword === 'ENV' && /NODE_ENV=production/.test(instruction.args)));
    const entrypoint = instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT');
    assert.deepEqual(JSON.parse(entrypoint?.args ?? 'null'), ['node', program.entry], 'exec form, so node gets SIGTERM');
    assert.equal(instructions.find((instruction) => instruction.keyword === 'EXPOSE')?.args, program.ports);

    const copies = instructions.filter((instruction) => instruction.keyword === 'COPY');
    assert.ok(copies.every((copy) => copy.args.startsWith('--from=')), 'copies only from build stages');
    const modules = copies.filter((copy) => /node_modules/.test(copy.args));
    assert.deepEqual(modules.map((copy) => copy.args.split(/\s+/)[0]), [`--from=${program.deps}`]);
    const depsStage = dockerfile.stages.find((stage) => stage.name === program.deps)!;
    const install = depsStage.instructions.find((instruction) => instruction.keyword === 'RUN')!.args;
    assert.match(install, /npm ci --omit=dev .*--workspace /, 'production dependencies only');
    for (const workspace of program.needs) {
      assert.ok(copies.some((copy) => copy.args.includes(`/src/${workspace}/dist/`)), `${program.target} carries ${workspace}/dist`);
      assert.ok(copies.some((copy) => copy.args.includes(`/src/${workspace}/package.json`)), `${program.target} carries ${workspace}/package.json`);
    }
  });
}

test('the build stage compiles every program and the control plane’s SQL assets with it', () => {
  const build = stageChain(dockerfile, 'build').flatMap((stage) => stage.instructions);
  const runs = build.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args);
  assert.ok(runs.includes('npm ci --no-audit --no-fund'));
  assert.ok(runs.some((run) => /npm run build .*--workspace gateway --workspace control-plane --workspace operator/.test(run)));
  assert.ok(build.some((instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('hack/copy-assets.mjs')));
});

test('every file the Dockerfile copies from the context exists and is not ignored', () => {
  const sources = dockerfile.stages
    .flatMap((stage) => stage.instructions)
    .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from='))
    .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
  assert.ok(sources.length > 10);
  for (const source of sources) {
    const path = source.replace(/\/$/, '');
    assert.ok(existsSync(join(repoRoot, path)), `${path} exists`);
    assert.ok(!dockerignoreExcludes(ignore, path), `${path} is not excluded by .dockerignore`);
  }
});

test('.dockerignore keeps dependencies, secrets, tests and dev state out of the context', () => {
  const kept = ['gateway/src/main.ts', 'control-plane/src/db/migrations/public/001_initial.sql', 'package-lock.json', 'hack/copy-assets.mjs'];
  const excluded = [
    'node_modules/express/index.js',
    'gateway/node_modules/x/index.js',
    'gateway/dist/main.js',
    '.git/config',
    '.dev/secrets.json',
    '.dev/tls/ca.key',
    'control-plane/.env',
    'gateway/.env.production',
    'certs/server.pem',
    'tls/server.key',
    'control-plane/src/admin-api/admin-api.test.ts',
    'control-plane/src/testing/app.ts',
    'e2e/src/kube-api/server.ts',
    'hack/tools/helm/helm',
  ];
  for (const path of kept) assert.equal(dockerignoreExcludes(ignore, path), false, `${path} is kept`);
  for (const path of excluded) assert.equal(dockerignoreExcludes(ignore, path), true, `${path} is excluded`);
});

test('the .dockerignore matcher handles folders, ** and negation', () => {
  assert.equal(dockerignoreExcludes(['**/dist'], 'a/b/dist/x.js'), true);
  assert.equal(dockerignoreExcludes(['**/dist'], 'dist'), true);
  assert.equal(dockerignoreExcludes(['docs'], 'docs/runbooks/a.md'), true);
  assert.equal(dockerignoreExcludes(['docs'], 'gateway/docs'), false);
  assert.equal(dockerignoreExcludes(['**/*.md', '!README.md'], 'README.md'), false);
  assert.equal(dockerignoreExcludes(['*.key'], 'a/b.key'), false);
});
