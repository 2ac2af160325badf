import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { before, test } from 'node:test';
import { makePushedCertificates, type PushedCertificates } from '../testing/pushed-certificates.js';
import { inspectCertificateChain, inspectPrivateKey, NOT_YET_VALID_LEEWAY_MS } from './certificate-pem.js';

let pem: PushedCertificates;
before(() => {
  pem = makePushedCertificates();
});

test('one key has one fingerprint whatever its PEM form, and is stored as PKCS#8', () => {
  const key = createPrivateKey(pem.leaf.key);
  const sec1 = key.export({ type: 'sec1', format: 'pem' }).toString();
  const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.match(sec1, /BEGIN EC PRIVATE KEY/);
  const [a, b] = [inspectPrivateKey(sec1, 'key'), inspectPrivateKey(pkcs8, 'key')];
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.sha256, b.value.sha256);
  assert.equal(a.value.pem, pkcs8);
});

test('validity is judged at the given time: expired after notAfter, refused before notBefore beyond the leeway', () => {
  const summary = inspectCertificateChain(pem.leaf.chain, 'cert', new Date());
  assert.ok(summary.ok);
  const { notBefore, notAfter } = summary.value;
  assert.equal(inspectCertificateChain(pem.leaf.chain, 'cert', new Date(notAfter.getTime() - 1000)).ok, true);
  assert.deepEqual(inspectCertificateChain(pem.leaf.chain, 'cert', notAfter), { ok: false, problems: [{ path: 'cert', message: `expired on ${notAfter.toISOString()}` }] });
  assert.equal(inspectCertificateChain(pem.leaf.chain, 'cert', new Date(notBefore.getTime() - NOT_YET_VALID_LEEWAY_MS)).ok, true);
  assert.equal(inspectCertificateChain(pem.leaf.chain, 'cert', new Date(notBefore.getTime() - NOT_YET_VALID_LEEWAY_MS - 1000)).ok, false);
});

test('text around the blocks is dropped from the stored chain, never echoed', () => {
  const summary = inspectCertificateChain(`subject=CN=leaf\n${pem.leaf.cert}issuer=x\n${pem.intermediate.cert}`, 'cert', new Date());
  assert.ok(summary.ok);
  assert.doesNotMatch(summary.value.certPem, /subject=|issuer=/);
  assert.equal(summary.value.chain.length, 2);
});
