// The config names the Gateway API translation writes (DESIGN §11), all under `gwapi.` (which the admin API
// refuses, like `k8s.`). Kubernetes names run to 63 or 253 characters and config names to 128: long parts are cut to
// 40 characters and an 8-hex hash of the full names keeps two objects apart.
import { createHash } from 'node:crypto';
import { GATEWAY_API_NAME_PREFIX } from '@novagate/control-plane/tenancy';

const MAX_NAME_PART = 40;
/** Config entity names are at most 128 characters. */
const MAX_ENTITY_NAME = 128;

const hash8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
const cut = (part: string, length = MAX_NAME_PART) => part.slice(0, length);

/** `gwapi.<ns ≤40>.<name ≤40>.<8-hex hash of the full names>`: the stem of an HTTPRoute's route names (`.<rule>.<match>` follow). */
export function httpRouteNameStem(namespace: string, name: string): string {
  return `${GATEWAY_API_NAME_PREFIX}${cut(namespace)}.${cut(name)}.${hash8(`${namespace}/${name}`)}`;
}

/**
 * The config service of one Service port: `gwapi.svc.<ns>.<name>.<port>` (DESIGN §11); when that exceeds the 128
 * characters of a config name, the names are cut and the hash of the full names keeps it unique.
 */
export function serviceEntityName(namespace: string, name: string, port: number): string {
  const full = `${GATEWAY_API_NAME_PREFIX}svc.${namespace}.${name}.${port}`;
  if (full.length <= MAX_ENTITY_NAME) return full;
  return `${GATEWAY_API_NAME_PREFIX}svc.${cut(namespace)}.${cut(name)}.${hash8(`${namespace}/${name}`)}.${port}`;
}

/** The config listener of one Gateway listener: `gwapi.<ns ≤40>.<gateway ≤40>.<hash>.<listener ≤30>`. */
export function gatewayListenerName(namespace: string, gateway: string, listener: string): string {
  return `${GATEWAY_API_NAME_PREFIX}${cut(namespace)}.${cut(gateway)}.${hash8(`${namespace}/${gateway}/${listener}`)}.${cut(listener, 30).replace(/[^A-Za-z0-9]+$/, '') || 'l'}`;
}

/** The pushed certificate of one TLS Secret: `gwapi.cert.<ns ≤40>.<secret ≤40>.<hash>`. */
export function certificateEntityName(namespace: string, secret: string): string {
  return `${GATEWAY_API_NAME_PREFIX}cert.${cut(namespace)}.${cut(secret)}.${hash8(`${namespace}/${secret}`)}`;
}

/** A config listener's `gateway` owner (DESIGN §10), the `GATEWAY_NAME` of the gateway processes serving it. */
export function gatewayOwner(namespace: string, gateway: string): string {
  return `${namespace}/${gateway}`;
}
