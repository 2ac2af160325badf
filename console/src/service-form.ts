// A service (DESIGN §4/§10) as its form holds it and back: name and upstream URL have fields; targets, timeouts,
// retries, load balancing, health checks, TLS… live in the advanced JSON. Pure.
import { advancedTextOf, optionalText, parseAdvanced, withoutUndefined, type FormResult } from './entity-form.js';
import type { FieldRouting } from './field-errors.js';

export interface ServiceForm {
  name: string;
  /** '' when the service has `targets` instead (in the advanced JSON). */
  url: string;
  advanced: string;
}

export const SERVICE_FORM_KEYS = ['name', 'url'] as const;

export const EMPTY_SERVICE_FORM: ServiceForm = { name: '', url: '', advanced: '' };

export function serviceFormOf(service: Readonly<Record<string, unknown>>): ServiceForm {
  return {
    name: typeof service.name === 'string' ? service.name : '',
    url: typeof service.url === 'string' ? service.url : '',
    advanced: advancedTextOf(service, SERVICE_FORM_KEYS),
  };
}

export function serviceBodyOf(form: ServiceForm): FormResult {
  const advanced = parseAdvanced(form.advanced, SERVICE_FORM_KEYS);
  if (!advanced.ok) return { ok: false, errors: { advanced: advanced.message } };
  const body = withoutUndefined({ ...advanced.value, name: form.name.trim(), url: optionalText(form.url) });
  return { ok: true, body, advancedKeys: Object.keys(advanced.value) };
}

export function serviceErrorRouting(sent: Readonly<Record<string, unknown>>, advancedKeys: readonly string[]): FieldRouting {
  return { fields: { name: 'name', url: 'url' }, sent, advanced: { field: 'advanced', keys: advancedKeys } };
}

/** The upstream column of the list: the URL, or the targets' URLs. */
export function upstreamOf(service: Readonly<Record<string, unknown>>): string {
  if (typeof service.url === 'string') return service.url;
  const targets = Array.isArray(service.targets) ? (service.targets as { url?: unknown }[]) : [];
  return targets.map((target) => String(target.url)).join(', ');
}
