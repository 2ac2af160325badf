// The `key-auth` policy: an API key in the `apikey` header or `Authorization: Bearer`, looked up by its
// SHA-256 (keys rest only as hashes); the credential is removed before the request goes upstream.
import { createHash } from 'node:crypto';
import { unauthorized } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { bearerToken } from '../credentials.js';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Maps every configured key hash to its consumer; built once per config. */
export function consumersByKeyHash(consumers: readonly ConsumerConfig[]): Map<string, ConsumerConfig> {
  const map = new Map<string, ConsumerConfig>();
  for (const consumer of consumers) for (const hash of consumer.apiKeyHashes) map.set(hash, consumer);
  return map;
}

export function createKeyAuthPolicy(byKeyHash: ReadonlyMap<string, ConsumerConfig>): Policy {
  return (ctx) => {
    const headers = ctx.req.headers;
    const headerKey = headers.apikey;
    let key: string | undefined;
    let stripped: string[];
    if (typeof headerKey === 'string' && headerKey !== '') {
      key = headerKey;
      stripped = ['apikey'];
    } else {
      key = bearerToken(headers.authorization);
      stripped = ['apikey', 'authorization'];
    }
    if (key === undefined) return unauthorized('missing_credential', 'an API key is required');
    const consumer = key.length > 512 ? undefined : byKeyHash.get(sha256Hex(key));
    if (consumer === undefined) return unauthorized('invalid_credential', 'the API key is not valid');
    ctx.consumer = consumer;
    ctx.strippedHeaders = stripped;
    return undefined;
  };
}
