// A local identity provider for tests: key pairs of every supported algorithm, a JWKS endpoint on 127.0.0.1
// whose keys can be rotated, and a token signer. Test-only (imported by *.test.ts).
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { AsymmetricAlgorithm } from '../policies/jwt/algorithms.js';

export interface TestKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function makeKey(alg: AsymmetricAlgorithm, kid: string): TestKey {
  const pair =
    alg.startsWith('RS') || alg.startsWith('PS')
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'ES384'
          ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
          : generateKeyPairSync('ed25519');
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const digest = key.alg === 'EdDSA' ? null : `sha${key.alg.slice(2)}`;
  const signature =
    key.alg === 'EdDSA'
      ? sign(null, data, key.privateKey)
      : key.alg.startsWith('ES')
        ? sign(digest, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : key.alg.startsWith('PS')
          ? sign(digest, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
          : sign(digest, data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

export interface TestIdp {
  readonly url: string;
  readonly jwksUri: string;
  keys: TestKey[];
  /** Requests served at /jwks. */
  hits: number;
  /** Answer 500 instead of the keys (an outage). */
  down: boolean;
  cacheControl: string | undefined;
  close(): Promise<void>;
}

export async function startIdp(keys: TestKey[]): Promise<TestIdp> {
  const idp = { keys, hits: 0, down: false, cacheControl: 'max-age=600' as string | undefined } as TestIdp;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks') return res.writeHead(404).end();
    idp.hits++;
    if (idp.down) return res.writeHead(500).end('down');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idp.cacheControl !== undefined) headers['cache-control'] = idp.cacheControl;
    res.writeHead(200, headers).end(JSON.stringify({ keys: idp.keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(idp, {
    url: `http://127.0.0.1:${port}`,
    jwksUri: `http://127.0.0.1:${port}/jwks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return idp;
}
