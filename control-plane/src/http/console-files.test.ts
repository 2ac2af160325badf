import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTestServer } from '../testing/with-test-server.js';
import { IMMUTABLE } from './console-files.js';

// A console build of the test's own making (the real one is built by `npm run build`; the browser test uses it).
const built = mkdtempSync(join(tmpdir(), 'novagate-console-'));
mkdirSync(join(built, 'assets'));
writeFileSync(join(built, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/main-ABC123.js"></script>');
writeFileSync(join(built, 'assets', 'main-ABC123.js'), 'console.log("hi");');
writeFileSync(join(built, 'assets', 'console-XYZ789.css'), 'body{margin:0}');
writeFileSync(join(built, 'secret.txt'), 'outside assets/');
const missing = join(built, 'no-such-build');

const { server, servers, ready } = withTestServer({ replicas: [{ consoleDir: built }, { consoleDir: missing }] });
const unbuilt = servers[1];
before(async () => ready);

/** GET with the path sent exactly as written (fetch would resolve `..` and follow redirects). */
function rawGet(path: string): Promise<{ status: number; location: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}/`, { path, method: 'GET' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text }));
    });
    request.on('error', reject);
    request.end();
  });
}
after(() => rmSync(built, { recursive: true, force: true }));

test('the console page is index.html under /console and every page path below it, revalidated on every load', async () => {
  for (const path of ['/console', '/console/', '/console/login', '/console/services']) {
    const response = await server.request('GET', path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache', path);
    assert.match(response.text, /main-ABC123\.js/);
  }
});

test('the console is served under the strict CSP: scripts and styles only from this origin, never framed', async () => {
  const response = await server.request('GET', '/console/');
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test('hashed console assets are cached a year as immutable, with their content type', async () => {
  const script = await server.request('GET', '/console/assets/main-ABC123.js');
  assert.equal(script.status, 200);
  assert.equal(script.text, 'console.log("hi");');
  assert.equal(script.headers.get('cache-control'), IMMUTABLE);
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  const style = await server.request('GET', '/console/assets/console-XYZ789.css');
  assert.equal(style.status, 200);
  assert.match(style.headers.get('content-type') ?? '', /^text\/css/);
  assert.equal(style.headers.get('cache-control'), IMMUTABLE);
});

test('a missing, oddly named or traversing asset path is a 404, never the page or a file outside assets/', async () => {
  const paths = [
    '/console/assets/main-NOPE.js',
    '/console/assets/secret.txt',
    '/console/assets/..%2Fsecret.txt',
    '/console/assets/%2E%2E%2Findex.html',
    '/console/assets/deeper/main-ABC123.js',
    '/console/assets/main-ABC123.js.map',
    `/console/assets/${'a'.repeat(5000)}.js`,
  ];
  for (const path of paths) {
    const response = await server.request('GET', path);
    assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
    assert.doesNotMatch(response.text, /outside assets|<!doctype/i, path);
    assert.notEqual(response.headers.get('cache-control'), IMMUTABLE, path);
  }
  for (const path of ['/console/assets/../secret.txt', '/console/assets/../../dist/secret.txt', '/console/assets/./main-ABC123.js/..']) {
    const response = await rawGet(path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.text, /outside assets|<!doctype/i, path);
  }
});

test('/ redirects to the console', async () => {
  const response = await rawGet('/');
  assert.equal(response.status, 302);
  assert.equal(response.location, '/console/');
});

test('without a console build the console answers a 503 page saying how to build it, and the API still works', async () => {
  const page = await unbuilt.request('GET', '/console/services');
  assert.equal(page.status, 503);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.text, /not built/);
  assert.match(page.text, /npm run build/);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.equal((await unbuilt.request('GET', '/console/assets/main-ABC123.js')).status, 404);
  assert.equal((await unbuilt.request('GET', '/healthz')).status, 200);
});
