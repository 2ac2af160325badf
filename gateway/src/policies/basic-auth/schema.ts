// The config basic-auth owns (DESIGN §10): `consumers[].basicAuth`, a list of `{username, passwordHash}` so a
// password can rotate (add the new hash, drop the old one later). Only bcrypt hashes of cost 10–12 are taken:
// a plaintext password, another hash or a cheaper cost is refused with the field named.
import { z } from 'zod';

/** At most this many credentials per consumer: rotation needs two; each one can cost a bcrypt per failed try. */
export const MAX_BASIC_AUTH_CREDENTIALS = 4;
export const MIN_BCRYPT_COST = 10;
export const MAX_BCRYPT_COST = 12;

/** `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 22 characters of salt and 31 of hash (bcrypt's base64). */
const BCRYPT_SHAPE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/** RFC 7617: the user-id holds no ':' and no control character; we also bound it and keep it single-line. */
// eslint-disable-next-line no-control-regex -- RFC 7617: a user-id holds no control characters
const BASIC_USERNAME_PATTERN = /^[^:\u0000-\u001f\u007f]{1,128}$/u;

/** Why `value` is not an acceptable bcrypt hash, or null. Never repeats the value (it may be a password). */
export function bcryptHashProblem(value: string): string | null {
  const shape = BCRYPT_SHAPE.exec(value);
  if (shape === null) return 'must be a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters), never a plaintext password';
  const cost = Number(shape[1]);
  if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) return `bcrypt cost must be ${MIN_BCRYPT_COST}-${MAX_BCRYPT_COST}, not ${cost}`;
  return null;
}

export const basicAuthCredentialSchema = z.strictObject({
  username: z.string().regex(BASIC_USERNAME_PATTERN, {
    message: "must be 1-128 characters without ':' or control characters (RFC 7617)",
  }),
  passwordHash: z.string().superRefine((value, ctx) => {
    const problem = bcryptHashProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

/** Absent by default, so a consumer without it parses, hashes and snapshots as before. */
export const basicAuthSchema = z.array(basicAuthCredentialSchema).min(1).max(MAX_BASIC_AUTH_CREDENTIALS).optional();

/**
 * A basic-auth user-id belongs to one consumer: another consumer naming it is refused at its path. One consumer
 * may list a user-id several times with different hashes (rotation).
 */
export function basicAuthUsernameProblems(
  consumers: readonly { basicAuth?: readonly BasicAuthCredential[] | undefined }[],
): { path: (string | number)[]; message: string }[] {
  const owner = new Map<string, number>();
  const problems: { path: (string | number)[]; message: string }[] = [];
  consumers.forEach((consumer, index) => {
    consumer.basicAuth?.forEach((credential, credentialIndex) => {
      const first = owner.get(credential.username);
      if (first === undefined) owner.set(credential.username, index);
      else if (first !== index)
        problems.push({
          path: ['consumers', index, 'basicAuth', credentialIndex, 'username'],
          message: `basic-auth username '${credential.username}' is already used by consumers[${first}]`,
        });
    });
  });
  return problems;
}

export type BasicAuthCredential = z.infer<typeof basicAuthCredentialSchema>;
