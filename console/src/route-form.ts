// A route (DESIGN §4/§10) as its form holds it and back: name, service, paths (one per line, a typed path as JSON
// on its line), methods, hosts (one per line), auth and stripPrefix have controls; every other field of the route
// lives in the advanced JSON. Pure.
import { advancedTextOf, linesOf, optionalText, parseAdvanced, textOfLines, withoutUndefined, type FormResult } from './entity-form.js';
import type { FieldRouting } from './field-errors.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;
export const AUTH_KINDS = ['none', 'jwt', 'key-auth', 'basic-auth'] as const;

export interface RouteForm {
  name: string;
  /** '' for none (a route with backends or a redirect, set in the advanced JSON). */
  service: string;
  paths: string;
  methods: string[];
  hosts: string;
  auth: string;
  stripPrefix: boolean;
  advanced: string;
}

/** The route fields the form has a control for, by name: the API's detail paths name them the same way. */
export const ROUTE_FORM_KEYS = ['name', 'service', 'paths', 'methods', 'hosts', 'auth', 'stripPrefix'] as const;

export const EMPTY_ROUTE_FORM: RouteForm = { name: '', service: '', paths: '', methods: [], hosts: '', auth: 'none', stripPrefix: false, advanced: '' };

/** A typed path (`{type, value}`) shows as its JSON on its line; a string path as itself. */
export function pathLine(path: unknown): string {
  return typeof path === 'string' ? path : JSON.stringify(path);
}

export function routeFormOf(route: Readonly<Record<string, unknown>>): RouteForm {
  return {
    name: typeof route.name === 'string' ? route.name : '',
    service: typeof route.service === 'string' ? route.service : '',
    paths: (Array.isArray(route.paths) ? route.paths : []).map(pathLine).join('\n'),
    methods: Array.isArray(route.methods) ? route.methods.filter((m): m is string => typeof m === 'string') : [],
    hosts: textOfLines(Array.isArray(route.hosts) ? (route.hosts as string[]) : []),
    auth: typeof route.auth === 'string' ? route.auth : 'none',
    stripPrefix: route.stripPrefix === true,
    advanced: advancedTextOf(route, ROUTE_FORM_KEYS),
  };
}

/** The paths field's entries: a line starting with `{` is a typed path as JSON (an error names its line). */
export function parsePathLines(text: string): { ok: true; paths: unknown[] } | { ok: false; message: string } {
  const paths: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('{')) {
      paths.push(line);
      continue;
    }
    try {
      paths.push(JSON.parse(line));
    } catch (error) {
      return { ok: false, message: `line ${index + 1} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ok: true, paths };
}

/** The body of POST/PUT for the form, or the fields it could not read. Method order follows the list above. */
export function routeBodyOf(form: RouteForm): FormResult {
  const errors: Record<string, string> = {};
  const paths = parsePathLines(form.paths);
  if (!paths.ok) errors.paths = paths.message;
  const advanced = parseAdvanced(form.advanced, ROUTE_FORM_KEYS);
  if (!advanced.ok) errors.advanced = advanced.message;
  if (!paths.ok || !advanced.ok) return { ok: false, errors };
  const body = withoutUndefined({
    ...advanced.value,
    name: form.name.trim(),
    service: optionalText(form.service),
    paths: paths.paths,
    methods: HTTP_METHODS.filter((method) => form.methods.includes(method)),
    hosts: linesOf(form.hosts),
    auth: form.auth,
    stripPrefix: form.stripPrefix,
  });
  return { ok: true, body, advancedKeys: Object.keys(advanced.value) };
}

/** Where the API's details about a route land on its form. */
export function routeErrorRouting(sent: Readonly<Record<string, unknown>>, advancedKeys: readonly string[]): FieldRouting {
  return {
    fields: Object.fromEntries(ROUTE_FORM_KEYS.map((key) => [key, key])),
    listFields: ['paths', 'hosts', 'methods'],
    sent,
    advanced: { field: 'advanced', keys: advancedKeys },
  };
}
