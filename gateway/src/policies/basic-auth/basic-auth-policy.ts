// The `basic-auth` policy (DESIGN §10): `Authorization: Basic` checked against consumers' bcrypt hashes.
// Per request, in order: no Basic credential → 401 with the Basic challenge; the client IP past its failure
// budget → 429 with Retry-After (before any bcrypt); a malformed credential → 401, counted; a credential in the
// verified cache whose hash the config still lists → the consumer (an HMAC and two map lookups); otherwise one
// bcrypt per hash of the user-id, or one against a dummy hash of the same cost when the user-id is unknown, so a
// wrong password and an unknown user do the same work. The attempt is counted before bcrypt runs and refunded
// on success, so concurrent guesses from one address cannot overshoot the budget.
import { GatewayError } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { parseBasicCredentials } from './basic-credentials.js';
import { BcryptVerifier, dummyHashLike } from './bcrypt-verifier.js';
import { CredentialCache } from './credential-cache.js';
import { FailureThrottle, throttleSubject } from './failure-throttle.js';

export const BASIC_CHALLENGE = 'Basic realm="novagate"';
export const FAILURES_PER_MINUTE = 10;
export const MAX_THROTTLED_ADDRESSES = 10_000;
export const MAX_CACHED_CREDENTIALS = 10_000;
/** bcrypt compares running or queued at once, per process (libuv's pool runs 4 by default). */
export const MAX_BCRYPT_IN_FLIGHT = 32;

/** What outlives a config version: the HMAC key and cache, the failure counts, the bcrypt cap. */
export interface BasicAuthState {
  readonly cache: CredentialCache;
  readonly throttle: FailureThrottle;
  readonly verifier: BcryptVerifier;
}

let processState: BasicAuthState | undefined;

/**
 * The process's one state, shared by every config version and route (a config push neither forgets the
 * failure counts nor empties the cache; cache hits are checked against the current config).
 */
export function processBasicAuthState(): BasicAuthState {
  return (processState ??= createBasicAuthState(Date.now));
}

export function createBasicAuthState(now: () => number): BasicAuthState {
  return {
    cache: new CredentialCache(MAX_CACHED_CREDENTIALS),
    throttle: new FailureThrottle({ limit: FAILURES_PER_MINUTE, windowMs: 60_000, maxAddresses: MAX_THROTTLED_ADDRESSES, now }),
    verifier: new BcryptVerifier(MAX_BCRYPT_IN_FLIGHT),
  };
}

interface UserCredentials {
  readonly consumer: ConsumerConfig;
  readonly hashes: readonly string[];
}

/** One config's basic-auth user-ids (unique across consumers, checked by the schema), built once per version. */
export interface BasicAuthTable {
  readonly byUsername: ReadonlyMap<string, UserCredentials>;
  /** The dummy hash an unknown user-id is compared with: the cost of the config's costliest hash. */
  readonly unknownUserHashes: readonly string[];
}

export function basicAuthTable(consumers: readonly ConsumerConfig[]): BasicAuthTable {
  const byUsername = new Map<string, { consumer: ConsumerConfig; hashes: string[] }>();
  let costliest: string | undefined;
  for (const consumer of consumers) {
    for (const credential of consumer.basicAuth ?? []) {
      const entry = byUsername.get(credential.username) ?? { consumer, hashes: [] };
      entry.hashes.push(credential.passwordHash);
      byUsername.set(credential.username, entry);
      if (costliest === undefined || credential.passwordHash.slice(4, 6) > costliest.slice(4, 6)) costliest = credential.passwordHash;
    }
  }
  return { byUsername, unknownUserHashes: [dummyHashLike(costliest)] };
}

const unauthorizedBasic = (reason: string, message: string) =>
  new GatewayError(401, 'unauthorized', message, { 'www-authenticate': BASIC_CHALLENGE }, reason);
// Both carry an auth reason so they count in novagate_auth_failures_total beside the 401s: a guessing attack shows.
const throttled = (seconds: number) =>
  new GatewayError(429, 'auth_throttled', 'too many failed basic-auth attempts from this address', { 'retry-after': String(seconds) }, 'throttled');
const overloaded = () =>
  new GatewayError(503, 'auth_overloaded', 'too many password checks in progress', { 'retry-after': '1' }, 'overloaded');

const STRIPPED = ['authorization'];

export function createBasicAuthPolicy(table: BasicAuthTable, state: BasicAuthState): Policy {
  const { cache, throttle, verifier } = state;
  return (ctx) => {
    const credentials = parseBasicCredentials(ctx.req.headers.authorization);
    if (credentials.kind === 'missing') return unauthorizedBasic('missing_credential', 'basic-auth credentials are required');
    const subject = throttleSubject(ctx.clientIp);
    const wait = throttle.retryAfterSeconds(subject);
    if (wait > 0) return throttled(wait);
    if (credentials.kind === 'malformed') {
      throttle.record(subject);
      return unauthorizedBasic('malformed_credential', 'the Authorization header is not valid Basic credentials');
    }
    const { username, password } = credentials;
    const key = cache.keyOf(username, password);
    const hit = cache.get(key);
    if (hit !== undefined) {
      const user = table.byUsername.get(hit.username);
      if (user !== undefined && user.hashes.includes(hit.passwordHash)) {
        ctx.consumer = user.consumer;
        ctx.strippedHeaders = STRIPPED;
        return undefined;
      }
      cache.delete(key);
    }
    if (verifier.full) return overloaded();
    const user = table.byUsername.get(username);
    throttle.record(subject);
    return verifier.firstMatch(password, user?.hashes ?? table.unknownUserHashes).then((matched) => {
      if (user === undefined || matched === undefined) return unauthorizedBasic('invalid_credential', 'the user-id or password is not valid');
      throttle.refund(subject);
      cache.set(key, { username, passwordHash: matched });
      ctx.consumer = user.consumer;
      ctx.strippedHeaders = STRIPPED;
      return undefined;
    });
  };
}
