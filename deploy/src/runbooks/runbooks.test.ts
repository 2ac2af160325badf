// docs/runbooks: every alert's runbook_url resolves to a page, every page belongs to an alert (or is one of
// the operations pages), each alert page has Meaning, Impact, Diagnosis (kubectl, curl, PromQL) and
// Mitigation, and the PromQL in them parses with promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { CONNECT_PATH } from '@novagate/gateway/protocol';
import { promtool, repoRoot } from '../tools.js';
import { alertsOf, renderRuleGroups } from '../monitoring/rules.js';
import { diagnosisBlocks, shellCommands, whyNotRunnable } from './diagnosis-commands.js';

const runbookDir = join(repoRoot, 'docs/runbooks');
const operationsPages = ['backup-and-restore.md', 'secret-rotation.md', 'upgrade-and-rollback.md'];
const repositoryBlob = 'https://github.com/novagate/novagate/blob/main/';

const pages = readdirSync(runbookDir).filter((file) => file.endsWith('.md')).sort();
const read = (page: string) => readFileSync(join(runbookDir, page), 'utf8');
const alerts = alertsOf(renderRuleGroups({ valuesFiles: ['ci/all-features-values.yaml'] }));

function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!.trim());
}

function section(markdown: string, heading: string): string {
  return markdown.split(new RegExp(`^## ${heading}\\s*$`, 'm'))[1]?.split(/^## /m)[0] ?? '';
}

test('every alert’s runbook_url points at a page that exists', () => {
  assert.equal(alerts.length, 16);
  for (const rule of alerts) {
    const url = rule.annotations.runbook_url ?? '';
    assert.ok(url.startsWith(repositoryBlob), `${rule.alert}: ${url}`);
    const path = url.slice(repositoryBlob.length);
    assert.equal(path, `docs/runbooks/${rule.alert}.md`);
    assert.ok(existsSync(join(repoRoot, path)), `${rule.alert}: ${path} is missing`);
  }
});

test('every page belongs to an alert, or is the index or an operations page', () => {
  const alertNames = new Set(alerts.map((rule) => rule.alert));
  const orphans = pages.filter((page) => page !== 'README.md' && !operationsPages.includes(page) && !alertNames.has(page.replace(/\.md$/, '')));
  assert.deepEqual(orphans, []);
  for (const page of operationsPages) assert.ok(pages.includes(page), `${page} exists`);
});

test('each alert page has Meaning, Impact, Diagnosis with kubectl, curl and PromQL, and Mitigation', () => {
  for (const rule of alerts) {
    const markdown = read(`${rule.alert}.md`);
    assert.equal(markdown.split('\n')[0], `# ${rule.alert}`);
    const headings = [...markdown.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    assert.deepEqual(headings, ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'], rule.alert);
    const diagnosis = section(markdown, 'Diagnosis');
    assert.ok(codeBlocks(diagnosis, 'promql').length > 0, `${rule.alert}: PromQL`);
    assert.match(diagnosis, /\bkubectl /, `${rule.alert}: kubectl`);
    assert.match(diagnosis, /\bcurl /, `${rule.alert}: curl`);
    assert.ok(section(markdown, 'Mitigation').trim().length > 100, `${rule.alert}: mitigation`);
  }
});

test('the operations pages cover forward-only migrations, PostgreSQL restore and each secret', () => {
  assert.match(read('upgrade-and-rollback.md'), /forward-only/);
  assert.match(read('upgrade-and-rollback.md'), /kubectl apply --server-side -f charts\/novagate\/crds\//);
  assert.match(read('backup-and-restore.md'), /pg_dump/);
  assert.match(read('backup-and-restore.md'), /pg_restore/);
  const rotation = read('secret-rotation.md');
  for (const heading of ['Gateway API keys', 'PLATFORM_JWT_SECRET', 'JWT_SECRET']) assert.match(rotation, new RegExp(`^## ${heading}`, 'm'));
});

test('the index lists every page and every relative link resolves', () => {
  const index = read('README.md');
  for (const page of pages.filter((candidate) => candidate !== 'README.md')) assert.ok(index.includes(`(${page})`), `README.md links ${page}`);
  for (const page of pages) {
    for (const match of read(page).matchAll(/\]\(([^)#:]+\.md)\)/g)) {
      assert.ok(existsSync(join(dirname(join(runbookDir, page)), match[1]!)), `${page} links ${match[1]}`);
    }
  }
});

test('the PromQL in every page parses (promtool check rules)', (t) => {
  const queries = pages.flatMap((page) => codeBlocks(read(page), 'promql').map((expr) => ({ page, expr })));
  assert.ok(queries.length >= 14);
  const dir = mkdtempSync(join(tmpdir(), 'novagate-runbooks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'runbook-queries.yaml');
  writeFileSync(path, stringify({ groups: [{ name: 'runbooks', rules: queries.map(({ expr }, index) => ({ record: `runbook:query_${index}`, expr })) }] }));
  const result = promtool(['check', 'rules', path]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('Diagnosis shell blocks parse into commands: continuations joined, comments dropped, `# expect:` kept as a regex', () => {
  const parsed = shellCommands("# a note\nkubectl -n $NS get deploy \\\n  novagate-gateway\ncurl -sS $CP/readyz   # expect: ^200$\ncurl -sS $GW   # just a note\n");
  assert.deepEqual(parsed.map((command) => command.command), ['kubectl -n $NS get deploy novagate-gateway', 'curl -sS $CP/readyz', 'curl -sS $GW   # just a note']);
  assert.deepEqual(parsed.map((command) => command.expect?.source), [undefined, '^200$', undefined]);
  assert.equal(whyNotRunnable('kubectl -n $NS logs deploy/novagate-gateway'), 'needs running pods (the test provides the port-forwarded URLs itself)');
  assert.equal(whyNotRunnable('kubectl -n $NS get deploy novagate-gateway'), undefined);
});

test('every alert page uses the variables of the index, not example hosts, and checks the hub with an upgrade', () => {
  for (const rule of alerts) {
    const { shell } = diagnosisBlocks(read(`${rule.alert}.md`));
    for (const { command } of shell.flat()) {
      assert.doesNotMatch(command, /example\.com|kubectl -n novagate /, `${rule.alert}: ${command}`);
    }
  }
  const hub = diagnosisBlocks(read('NovaGateGatewayDisconnected.md')).shell.flat().find(({ command }) => command.includes(CONNECT_PATH));
  assert.ok(hub !== undefined);
  assert.match(hub.command, /Upgrade: websocket/);
  assert.match(hub.command, /Bearer \$KEY/);
  assert.doesNotMatch(read('NovaGateGatewayDisconnected.md'), /401 here means the endpoint works/);
  for (const name of ['NS', 'CP', 'CP_METRICS', 'GW', 'GW_METRICS', 'OPERATOR_METRICS']) assert.match(read('README.md'), new RegExp(`^${name}=`, 'm'));
});
