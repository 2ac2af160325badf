// The JWT policy's part of the config schema (DESIGN §10): `routes[].jwt.providers` and the rules that tie
// consumers (`jwtProvider`, `jwtSubject`) to them. gateway/src/config/schema.ts imports these fragments; this
// file never imports it (no cycle).
import { isIP } from 'node:net';
import { z } from 'zod';
import { addressRefusal } from './address-policy.js';
import { ASYMMETRIC_ALGORITHMS } from './algorithms.js';
import { readJwk } from './jwk.js';
import { protectedHeaderProblem } from '../protected-headers.js';
import { ENTITY_NAME_PATTERN, HEADER_NAME_PATTERN } from '../schema-patterns.js';

export const MAX_PROVIDERS_PER_ROUTE = 8;
export const MAX_CLAIMS_TO_HEADERS = 16;
export const MAX_PUBLIC_KEYS = 16;

/** A claim name: printable ASCII without spaces (`sub`, `email_verified`, `https://example.com/roles`). */
const CLAIM_NAME_PATTERN = /^[\x21-\x7e]{1,256}$/;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;

/** Provider names are entity names (a consumer's `jwtProvider` names one). */
export const jwtProviderNameSchema = z.string().regex(ENTITY_NAME_PATTERN, {
  message: "provider name must be 1-128 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
});

const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !HAS_CONTROL.test(value), { message: 'must not contain control characters' });

/** One inline public key, as a JWK (private members are refused by the strict object). */
const publicKeySchema = z.strictObject({
  kty: z.enum(['RSA', 'EC', 'OKP']),
  kid: z.string().min(1).max(256).optional(),
  alg: z.enum(ASYMMETRIC_ALGORITHMS).optional(),
  use: z.literal('sig').optional(),
  crv: z.enum(['P-256', 'P-384', 'Ed25519']).optional(),
  n: z.string().max(2048).optional(),
  e: z.string().max(16).optional(),
  x: z.string().max(256).optional(),
  y: z.string().max(256).optional(),
});

const jwksUriSchema = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute https URL' });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must use https (or http with allowHttp: true)' });
    if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    if (url.hash !== '') ctx.addIssue({ code: 'custom', message: 'must not have a fragment' });
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0 && addressRefusal(host) !== undefined) ctx.addIssue({ code: 'custom', message: `must not name a ${addressRefusal(host)} address` });
  });

export const jwtProviderSchema = z
  .strictObject({
    name: jwtProviderNameSchema,
    // `iss` must equal it exactly; it also picks the provider of a token on a route with several.
    issuer: printable(1024),
    // `aud` must hold one of them; absent: aud is not checked.
    audiences: z.array(printable(1024)).min(1).max(16).optional(),
    jwksUri: jwksUriSchema.optional(),
    publicKeys: z.array(publicKeySchema).min(1).max(MAX_PUBLIC_KEYS).optional(),
    algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).max(ASYMMETRIC_ALGORITHMS.length),
    // The claim naming a consumer (with this provider as jwtProvider); absent: `sub`.
    consumerClaim: z.string().regex(CLAIM_NAME_PATTERN, { message: 'must be a claim name of printable ASCII' }).optional(),
    claimsToHeaders: z
      .array(
        z.strictObject({
          claim: z.string().regex(CLAIM_NAME_PATTERN, { message: 'must be a claim name of printable ASCII' }),
          header: z.string().regex(HEADER_NAME_PATTERN, { message: 'must be a header name (an HTTP token)' }),
        }),
      )
      .max(MAX_CLAIMS_TO_HEADERS)
      .optional(),
    // `false` is left out of the parsed config, so saying it changes no hash.
    allowHttp: z
      .boolean()
      .optional()
      .overwrite((value) => (value === true ? true : undefined)),
  })
  .superRefine((provider, ctx) => {
    if ((provider.jwksUri === undefined) === (provider.publicKeys === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['jwksUri'], message: 'a provider needs exactly one of jwksUri and publicKeys' });
    }
    if (provider.jwksUri?.toLowerCase().startsWith('http:') === true && provider.allowHttp !== true) {
      ctx.addIssue({ code: 'custom', path: ['jwksUri'], message: 'must use https (allowHttp: true permits http, for an in-cluster IdP)' });
    }
    if (new Set(provider.algorithms).size !== provider.algorithms.length) ctx.addIssue({ code: 'custom', path: ['algorithms'], message: 'lists an algorithm twice' });
    provider.publicKeys?.forEach((jwk, index) => {
      const read = readJwk(jwk);
      if (!read.ok) ctx.addIssue({ code: 'custom', path: ['publicKeys', index], message: read.problem });
      else if (read.key.alg !== undefined && !provider.algorithms.includes(read.key.alg)) {
        ctx.addIssue({ code: 'custom', path: ['publicKeys', index, 'alg'], message: `${read.key.alg} is not in the provider's algorithms` });
      }
    });
    const seen = new Set<string>();
    provider.claimsToHeaders?.forEach((entry, index) => {
      const problem = protectedHeaderProblem(entry.header);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['claimsToHeaders', index, 'header'], message: problem });
      const lower = entry.header.toLowerCase();
      if (seen.has(lower)) ctx.addIssue({ code: 'custom', path: ['claimsToHeaders', index, 'header'], message: `header '${entry.header}' is listed twice` });
      seen.add(lower);
    });
  });

export const jwtRouteSchema = z
  .strictObject({
    providers: z.array(jwtProviderSchema).min(1).max(MAX_PROVIDERS_PER_ROUTE),
  })
  .superRefine((jwt, ctx) => {
    const names = new Map<string, number>();
    const issuers = new Map<string, number>();
    jwt.providers.forEach((provider, index) => {
      const earlierName = names.get(provider.name);
      if (earlierName !== undefined) ctx.addIssue({ code: 'custom', path: ['providers', index, 'name'], message: `provider name '${provider.name}' is already used by providers[${earlierName}]` });
      else names.set(provider.name, index);
      const earlierIssuer = issuers.get(provider.issuer);
      if (earlierIssuer !== undefined) ctx.addIssue({ code: 'custom', path: ['providers', index, 'issuer'], message: `issuer is already used by providers[${earlierIssuer}]: the issuer picks a token's provider` });
      else issuers.set(provider.issuer, index);
    });
  });

export type JwtProviderConfig = z.infer<typeof jwtProviderSchema>;
export type JwtRouteConfig = z.infer<typeof jwtRouteSchema>;

/** Route-level rules: `jwt` only with `auth: jwt`. */
export function jwtRouteProblems(route: { auth: string; jwt?: JwtRouteConfig | undefined }, ctx: z.RefinementCtx): void {
  if (route.jwt !== undefined && route.auth !== 'jwt') ctx.addIssue({ code: 'custom', path: ['jwt'], message: 'jwt.providers needs auth: jwt' });
}

/** Config-level rules: a jwtSubject is unique per jwtProvider, and a jwtProvider needs a jwtSubject. */
export function jwtConsumerProblems(
  consumers: readonly { jwtSubject?: string | undefined; jwtProvider?: string | undefined }[],
  ctx: z.RefinementCtx,
): void {
  const firstSeen = new Map<string, number>();
  consumers.forEach((consumer, index) => {
    if (consumer.jwtProvider !== undefined && consumer.jwtSubject === undefined) {
      ctx.addIssue({ code: 'custom', path: ['consumers', index, 'jwtSubject'], message: 'a consumer with jwtProvider needs a jwtSubject' });
    }
    if (consumer.jwtSubject === undefined) return;
    const key = `${consumer.jwtProvider ?? ''}\u0000${consumer.jwtSubject}`;
    const earlier = firstSeen.get(key);
    if (earlier === undefined) firstSeen.set(key, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['consumers', index, 'jwtSubject'],
        message: `JWT subject '${consumer.jwtSubject}' is already used by consumers[${earlier}]${consumer.jwtProvider === undefined ? '' : ` for jwtProvider '${consumer.jwtProvider}'`}`,
      });
  });
}
