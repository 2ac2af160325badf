// A consumer (DESIGN §4/§10) as its form holds it and back: username, JWT subject, JWT provider and groups have
// fields; rate limit, basic-auth credentials and the rest live in the advanced JSON. Its apiKeyHashes are the
// keys page's: never shown here, and carried over from the consumer as stored when it is saved. Pure.
import { advancedTextOf, linesOf, optionalText, parseAdvanced, textOfLines, withoutUndefined, type FormResult } from './entity-form.js';
import type { FieldRouting } from './field-errors.js';

export interface ConsumerForm {
  username: string;
  jwtSubject: string;
  jwtProvider: string;
  groups: string;
  advanced: string;
}

export const CONSUMER_FORM_KEYS = ['username', 'jwtSubject', 'jwtProvider', 'groups'] as const;
/** Fields of the consumer neither the form nor the advanced JSON shows: the keys page manages them. */
export const CONSUMER_KEY_FIELDS = ['apiKeyHashes'] as const;

export const EMPTY_CONSUMER_FORM: ConsumerForm = { username: '', jwtSubject: '', jwtProvider: '', groups: '', advanced: '' };

export function consumerFormOf(consumer: Readonly<Record<string, unknown>>): ConsumerForm {
  return {
    username: typeof consumer.username === 'string' ? consumer.username : '',
    jwtSubject: typeof consumer.jwtSubject === 'string' ? consumer.jwtSubject : '',
    jwtProvider: typeof consumer.jwtProvider === 'string' ? consumer.jwtProvider : '',
    groups: textOfLines(Array.isArray(consumer.groups) ? (consumer.groups as string[]) : []),
    advanced: advancedTextOf(consumer, CONSUMER_FORM_KEYS, CONSUMER_KEY_FIELDS),
  };
}

export function consumerBodyOf(form: ConsumerForm): FormResult {
  const advanced = parseAdvanced(form.advanced, CONSUMER_FORM_KEYS, { apiKeyHashes: 'on the Keys page' });
  if (!advanced.ok) return { ok: false, errors: { advanced: advanced.message } };
  const groups = linesOf(form.groups);
  const body = withoutUndefined({
    ...advanced.value,
    username: form.username.trim(),
    jwtSubject: optionalText(form.jwtSubject),
    jwtProvider: optionalText(form.jwtProvider),
    groups: groups.length === 0 ? undefined : groups,
  });
  return { ok: true, body, advancedKeys: Object.keys(advanced.value) };
}

/** The body to PUT: the form's, with the consumer's API key hashes as read when the edit began (the PUT is conditional on that read, so a key made or revoked meanwhile makes it 412 instead of being undone). */
export function withStoredKeys(body: Readonly<Record<string, unknown>>, stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Array.isArray(stored.apiKeyHashes) ? { ...body, apiKeyHashes: stored.apiKeyHashes } : { ...body };
}

export function consumerErrorRouting(sent: Readonly<Record<string, unknown>>, advancedKeys: readonly string[]): FieldRouting {
  return {
    fields: Object.fromEntries(CONSUMER_FORM_KEYS.map((key) => [key, key])),
    listFields: ['groups'],
    sent,
    advanced: { field: 'advanced', keys: advancedKeys },
  };
}
