// One Gateway's slice of a tenant's config (DESIGN §11): what a gateway API key bound to that Gateway receives,
// so that whoever can read the key's Secret in the Gateway's namespace never sees the rest of the tenant's config.
// Pure, and an ordinary config: a slice of a valid config is valid, and old gateways take it as any snapshot.

/** What slicing reads of a config; every other top-level field (tenant-wide settings) is kept as it is. */
export interface SliceableConfig {
  services: readonly SliceableService[];
  routes: readonly SliceableRoute[];
  consumers: readonly unknown[];
  listeners?: readonly SliceableListener[] | undefined;
  certificates?: readonly { name: string }[] | undefined;
}

interface SliceableService {
  name: string;
  tls?: { caCertificate?: string | undefined; clientCertificate?: string | undefined } | undefined;
}

interface SliceableRoute {
  listeners?: readonly string[] | undefined;
  service?: string | undefined;
  backends?: readonly { service?: string | undefined }[] | undefined;
  mirrors?: readonly { service: string }[] | undefined;
  auth?: string | undefined;
}

interface SliceableListener {
  name: string;
  gateway?: string | undefined;
  tls?: { certificates: readonly string[] } | undefined;
}

/**
 * The part of `config` that the Gateway `owner` (`<namespace>/<name>`) serves: its listeners; the routes attached to
 * one of them (their `listeners` narrowed to the owner's; a route without `listeners` belongs to the unowned
 * gateways and is left out); the services those routes reach (service, backends, mirrors); the certificates its
 * listeners and those services use; the consumers only when one of those routes authenticates (they are
 * tenant-wide). Order is kept, so equal inputs give equal slices (and equal hashes) on every replica.
 */
export function gatewaySlice<C extends SliceableConfig>(config: C, owner: string): C {
  const listeners = (config.listeners ?? []).filter((listener) => listener.gateway === owner);
  const listenerNames = new Set(listeners.map((listener) => listener.name));
  const routes: C['routes'][number][] = [];
  for (const route of config.routes) {
    if (route.listeners === undefined) continue;
    const own = route.listeners.filter((name) => listenerNames.has(name));
    if (own.length === 0) continue;
    routes.push(own.length === route.listeners.length ? route : { ...route, listeners: own });
  }
  const serviceNames = new Set<string>();
  for (const route of routes) {
    if (route.service !== undefined) serviceNames.add(route.service);
    for (const backend of route.backends ?? []) if (backend.service !== undefined) serviceNames.add(backend.service);
    for (const mirror of route.mirrors ?? []) serviceNames.add(mirror.service);
  }
  const services = config.services.filter((service) => serviceNames.has(service.name));
  const certificateNames = new Set<string>();
  for (const listener of listeners) for (const name of listener.tls?.certificates ?? []) certificateNames.add(name);
  for (const service of services) {
    if (service.tls?.caCertificate !== undefined) certificateNames.add(service.tls.caCertificate);
    if (service.tls?.clientCertificate !== undefined) certificateNames.add(service.tls.clientCertificate);
  }
  const authenticates = routes.some((route) => route.auth !== undefined && route.auth !== 'none');
  const slice: C = { ...config, services, routes, consumers: authenticates ? config.consumers : [] };
  if (config.listeners !== undefined) slice.listeners = listeners;
  if (config.certificates !== undefined) slice.certificates = config.certificates.filter((certificate) => certificateNames.has(certificate.name));
  return slice;
}
