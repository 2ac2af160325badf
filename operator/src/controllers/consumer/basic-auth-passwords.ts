// Pure: the basic-auth passwords a Consumer names, read from the Secrets of its namespace, and the references
// that do not resolve. An entry whose Secret or key is missing is left out (see README: the consumer's other
// credentials keep working, and a missing password can never authenticate anyone).
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { secretValue, type Problem } from '../evaluation.js';

export const DEFAULT_PASSWORD_KEY = 'password';

export interface BasicAuthPassword {
  username: string;
  password: string;
}

export interface ResolvedPasswords {
  passwords: BasicAuthPassword[];
  /** One problem per entry left out, naming the field and the Secret. */
  unresolved: Problem[];
}

export function basicAuthPasswords(consumer: ConsumerResource, secretOf: (name: string) => SecretResource | undefined): ResolvedPasswords {
  const namespace = consumer.metadata.namespace ?? '';
  const passwords: BasicAuthPassword[] = [];
  const unresolved: Problem[] = [];
  (consumer.spec.basicAuth ?? []).forEach((entry, index) => {
    const ref = entry.passwordSecretRef;
    const value = secretValue(namespace, secretOf(ref.name), ref.name, ref.key ?? DEFAULT_PASSWORD_KEY);
    if (value.accepted) passwords.push({ username: entry.username, password: value.value });
    else unresolved.push({ reason: value.reason, message: `spec.basicAuth[${index}].passwordSecretRef: ${value.message}` });
  });
  return { passwords, unresolved };
}

/** The names of every Secret the Consumer reads (its API key's and its passwords'). */
export function consumerSecretNames(consumer: ConsumerResource): string[] {
  const names = new Set<string>();
  if (consumer.spec.apiKeySecretRef !== undefined) names.add(consumer.spec.apiKeySecretRef.name);
  for (const entry of consumer.spec.basicAuth ?? []) names.add(entry.passwordSecretRef.name);
  return [...names];
}
