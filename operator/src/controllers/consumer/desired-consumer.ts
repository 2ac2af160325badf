// Pure: what one Consumer resource asks of its tenant's config. Its API key comes from a Secret and only the
// key's SHA-256 goes further (DESIGN §4: consumer keys travel and rest only as hashes); its basic-auth passwords
// arrive here already as bcrypt hashes (basic-auth-hasher.ts).
import { createHash } from 'node:crypto';
import { consumerSchema, type ConsumerConfig } from '@novagate/gateway/config';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { problemMessage, secretValue, type Evaluation } from '../evaluation.js';
import type { BasicAuthCredential } from './basic-auth-hasher.js';

export const DEFAULT_SECRET_KEY = 'apiKey';

const CONSUMER_FIELDS: Record<string, string> = { apiKeyHashes: 'spec.apiKeySecretRef' };

/**
 * The consumer config, or why there is none. `basicAuth` holds the hashed credentials of the entries whose
 * Secrets resolved (absent from the config when there are none).
 */
export function desiredConsumer(
  consumer: ConsumerResource,
  secret: SecretResource | undefined,
  basicAuth: readonly BasicAuthCredential[] = [],
): Evaluation<ConsumerConfig> {
  const { spec } = consumer;
  const namespace = consumer.metadata.namespace ?? '';
  const apiKeyHashes: string[] = [];
  if (spec.apiKeySecretRef !== undefined) {
    const key = spec.apiKeySecretRef.key ?? DEFAULT_SECRET_KEY;
    const value = secretValue(namespace, secret, spec.apiKeySecretRef.name, key);
    if (!value.accepted) return value;
    apiKeyHashes.push(createHash('sha256').update(value.value).digest('hex'));
  }
  const parsed = consumerSchema.safeParse({
    username: spec.username,
    apiKeyHashes,
    ...(spec.jwtSubject === undefined ? {} : { jwtSubject: spec.jwtSubject }),
    ...(spec.jwtProvider === undefined ? {} : { jwtProvider: spec.jwtProvider }),
    ...(spec.rateLimit === undefined ? {} : { rateLimit: spec.rateLimit }),
    ...(spec.groups === undefined ? {} : { groups: spec.groups }),
    ...(basicAuth.length === 0 ? {} : { basicAuth }),
  });
  if (!parsed.success) return { accepted: false, reason: 'Invalid', message: problemMessage(parsed.error, CONSUMER_FIELDS, 'spec') };
  return { accepted: true, value: parsed.data };
}
