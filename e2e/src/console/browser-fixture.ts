// What the console's browser tests share: a real control plane over HTTPS (self-signed dev CA) with its own
// PostgreSQL database serving the real build of console/ (`npm run build`), Debian's chromium driven by
// playwright-core, pages watched for Content-Security-Policy violations and uncaught errors, axe-core, and the
// screenshot folder (.dev/console-screenshots/, kept by CI as the test artifact).
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { startTestServer, type RegisteredTenant, type TestServer } from '@novagate/control-plane/testing/server';
import { ensureDevTls } from '@novagate/control-plane/tls/dev-certificates';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CONSOLE_BUILD = join(root, 'console/dist/index.html');
export const SCREENSHOTS = join(root, '.dev/console-screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');

export interface ConsoleStack {
  db: TestDatabase;
  server: TestServer;
  /** https://localhost:<port>, the control plane's origin (and its PUBLIC_URL). */
  base: string;
  browser: Browser;
  /** The dev CA's PEM and its file, for clients other than the browser (a gateway process). */
  caPem: string;
  caFile: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A control plane on HTTPS serving the console build, and chromium. */
export async function startConsoleStack(): Promise<ConsoleStack> {
  assert.ok(existsSync(CONSOLE_BUILD), `no console build at ${CONSOLE_BUILD}: run npm run build first`);
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH`);
  const tlsDir = mkdtempSync(join(tmpdir(), 'novagate-console-tls-'));
  const files = ensureDevTls(tlsDir);
  const caPem = readFileSync(files.caFile, 'utf8');
  const db = await createTestDatabase();
  const port = await freePort();
  const base = `https://localhost:${port}`;
  const server = await startTestServer({
    db,
    port,
    publicUrl: base,
    tls: { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca: caPem },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    db,
    server,
    base,
    browser,
    caPem,
    caFile: files.caFile,
    async close() {
      await browser.close();
      await server.close();
      await db.drop();
      rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  cspViolations: string[];
  pageErrors: string[];
}

/** A new page whose CSP violations and uncaught errors are collected (assert both empty at the end). */
export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { page, cspViolations, pageErrors };
}

/** Signs in through the login page (the page must show it) and waits for the first page behind the session. */
export async function signIn(page: Page, tenant: Pick<RegisteredTenant, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email').fill(tenant.email);
  await page.getByLabel('Password').fill(tenant.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * axe-core's serious and critical violations on the page as it is now, as `id (impact) at targets`. axe is injected
 * as a script, which the strict CSP forbids: call it in a context made with `bypassCSP: true`.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> } }).axe;
    return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => String(node.target)) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.impact}) at ${violation.targets.join(', ')}`);
}

/**
 * Where a secret shows up in the page after it should be gone: the DOM (markup and the current values of form
 * fields, which outerHTML does not show), storage, cookies, the URL, the title, the history entry's state and the
 * URL and title of every entry of the tab's history (read over the DevTools protocol).
 */
export async function placesHolding(page: Page, secret: string): Promise<string[]> {
  const exposed = await page.evaluate(() => ({
    dom: document.documentElement.outerHTML,
    fields: JSON.stringify(Array.from(document.querySelectorAll('input, textarea, select'), (field) => (field as HTMLInputElement).value)),
    local: JSON.stringify(Object.entries(localStorage)),
    session: JSON.stringify(Object.entries(sessionStorage)),
    url: location.href,
    title: document.title,
    cookies: document.cookie,
    historyState: JSON.stringify(history.state),
  }));
  // Every entry of the tab's history (what Back and Forward can reach), not only the current one's URL.
  const cdp = await page.context().newCDPSession(page);
  try {
    const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string; title: string }[] };
    Object.assign(exposed, { historyEntries: JSON.stringify(entries.map((entry) => [entry.url, entry.title])) });
  } finally {
    await cdp.detach();
  }
  return Object.entries(exposed)
    .filter(([, text]) => text.includes(secret))
    .map(([where]) => where);
}
