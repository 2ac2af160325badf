// Pure: a Consumer's ResolvedRefs condition (Gateway API's name for it): whether every Secret it names exists
// and holds its key. A missing API key Secret also keeps the consumer out of the config (Accepted=False); a
// missing password Secret only leaves that basic-auth entry out.
import type { ConditionInput } from '../../conditions.js';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { secretValue, type Problem } from '../evaluation.js';
import { basicAuthPasswords } from './basic-auth-passwords.js';
import { DEFAULT_SECRET_KEY } from './desired-consumer.js';

export function resolvedRefsCondition(consumer: ConsumerResource, secretOf: (name: string) => SecretResource | undefined): ConditionInput {
  const problems: Problem[] = [];
  const ref = consumer.spec.apiKeySecretRef;
  if (ref !== undefined) {
    const value = secretValue(consumer.metadata.namespace ?? '', secretOf(ref.name), ref.name, ref.key ?? DEFAULT_SECRET_KEY);
    if (!value.accepted) problems.push({ reason: value.reason, message: `spec.apiKeySecretRef: ${value.message}` });
  }
  problems.push(...basicAuthPasswords(consumer, secretOf).unresolved);
  const [first] = problems;
  if (first === undefined) {
    const names = ref !== undefined || (consumer.spec.basicAuth?.length ?? 0) > 0;
    return { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: names ? 'every Secret the consumer names holds its key' : 'the consumer names no Secret' };
  }
  return { type: 'ResolvedRefs', status: 'False', reason: first.reason, message: problems.map((problem) => problem.message).join('; ') };
}
