// Pure: what one Consumer resource asks of its tenant's config. Its API key comes from a Secret and only the
// key's SHA-256 goes further (DESIGN §4: consumer keys travel and rest only as hashes).
import { createHash } from 'node:crypto';
import { consumerSchema, type ConsumerConfig } from '@novagate/gateway/config';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { problemMessage, secretValue, type Evaluation } from '../evaluation.js';

export const DEFAULT_SECRET_KEY = 'apiKey';

const CONSUMER_FIELDS: Record<string, string> = { apiKeyHashes: 'spec.apiKeySecretRef' };

export function desiredConsumer(consumer: ConsumerResource, secret: SecretResource | undefined): Evaluation<ConsumerConfig> {
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
  });
  if (!parsed.success) return { accepted: false, reason: 'Invalid', message: problemMessage(parsed.error, CONSUMER_FIELDS, 'spec') };
  return { accepted: true, value: parsed.data };
}
