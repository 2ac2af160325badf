// README's CRD install sequence, run word for word with kubectl against a fresh real kube-apiserver: it must
// work the first time (issue 13: `kubectl apply -f crds/ -f crds/examples/` raced the CRDs there); then every
// field the real server publishes for kubectl explain has a description.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipReason, startRealApiServer, type RealApiServer } from './real-api-server.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** The commands of the first ```sh block after `heading` in a Markdown file, one per line. */
function commandsAfter(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  assert.notEqual(start, -1, `heading ${heading} not found`);
  const block = /```sh\n([\s\S]*?)```/.exec(markdown.slice(start));
  assert.ok(block?.[1], `no sh block after ${heading}`);
  return block[1].split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const commands = commandsAfter(readme, '## Operator and CRDs');

let server: RealApiServer | undefined;
let home: string;
before(async () => {
  if (skipReason !== false) return;
  server = await startRealApiServer();
  home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
});
after(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function sh(command: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // A fresh HOME: kubectl's discovery cache starts empty, as on a newcomer's machine.
    const env = { ...process.env, KUBECONFIG: server?.kubeconfigPath ?? '', HOME: home, KUBECACHEDIR: join(home, 'cache') };
    execFile('bash', ['-c', command], { cwd: repo, env, timeout: 120_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }));
  });
}

test('README installs the CRDs, waits until they are Established, then applies the examples', () => {
  assert.deepEqual(commands, [
    'kubectl apply -f crds/',
    'kubectl wait --for=condition=Established --timeout=60s crd/tenants.novagate.dev crd/routes.novagate.dev crd/consumers.novagate.dev',
    'kubectl apply -f crds/examples/',
  ]);
  const operatorReadme = readFileSync(join(repo, 'operator/README.md'), 'utf8');
  assert.ok(commands.every((command) => operatorReadme.includes(command)), "operator/README's Try it gives the same sequence");
});

test("README's CRD sequence works the first time on a fresh real kube-apiserver", { skip: skipReason }, async () => {
  for (const command of commands) {
    const { code, output } = await sh(command);
    assert.equal(code, 0, `${command}\n${output}`);
  }
  const listed = await sh('kubectl get tenants,routes,consumers -o name');
  assert.equal(listed.code, 0, listed.output);
  assert.deepEqual(
    listed.output.trim().split('\n').sort(),
    [
      'consumer.novagate.dev/mobile-app',
      'consumer.novagate.dev/partner-acme',
      'route.novagate.dev/orders',
      'route.novagate.dev/reports',
      'route.novagate.dev/users',
      'route.novagate.dev/v1-moved',
      'tenant.novagate.dev/acme',
    ].sort(),
  );
});

/** Paths of properties without a description in an OpenAPI schema the server publishes. */
function undescribed(schema: OpenApiSchema, path: string): string[] {
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const at = `${path}.${name}`;
    if (!property.description?.trim()) found.push(at);
    found.push(...undescribed(property, at));
  }
  if (schema.items) found.push(...undescribed(schema.items, `${path}[]`));
  return found;
}
interface OpenApiSchema {
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
}

test('kubectl explain has a description for every field of Tenant, Route, Consumer and GatewayParameters on a real kube-apiserver', { skip: skipReason }, async () => {
  const published = await sh('kubectl get --raw /openapi/v3/apis/novagate.dev/v1alpha1');
  assert.equal(published.code, 0, published.output);
  const schemas = (JSON.parse(published.output) as { components: { schemas: Record<string, OpenApiSchema> } }).components.schemas;
  const missing = ['Tenant', 'Route', 'Consumer', 'GatewayParameters'].flatMap((kind) => {
    const schema = schemas[`dev.novagate.v1alpha1.${kind}`];
    assert.ok(schema, `${kind} is published`);
    return undescribed(schema, kind.toLowerCase());
  });
  assert.deepEqual(missing, []);
  const explained = await sh('kubectl explain route.spec.rateLimit');
  assert.equal(explained.code, 0, explained.output);
  assert.doesNotMatch(explained.output, /<empty>|<no description>/);
  assert.match(explained.output, /Requests allowed per window/);
  const redirect = await sh('kubectl explain route.spec.redirect.path');
  assert.equal(redirect.code, 0, redirect.output);
  assert.match(redirect.output, /replacePrefixMatch/);
  assert.match(redirect.output, /The matched prefix is replaced by this/);
  const basicAuth = await sh('kubectl explain consumer.spec.basicAuth.passwordSecretRef');
  assert.equal(basicAuth.code, 0, basicAuth.output);
  assert.match(basicAuth.output, /ResolvedRefs is False/);
});
