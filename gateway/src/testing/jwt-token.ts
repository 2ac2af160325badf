// Builds JWTs for tests, including the malformed and malicious ones of the attack matrix.
import { createHmac } from 'node:crypto';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signHs256(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${encode(header)}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function unsignedToken(claims: Record<string, unknown>, header: Record<string, unknown>): string {
  return `${encode(header)}.${encode(claims)}.`;
}
