// Which Kubernetes resource owns an object the operator manages (`managedBy: "kubernetes"`), read from the names the
// operator gives them (DESIGN §7 and §11): a Route resource becomes a service and a route named
// `k8s.<namespace>.<name>`; an HTTPRoute becomes routes `gwapi.<ns>.<name>.<hash>.<rule>.<match>`; a Service port
// becomes a service `gwapi.svc.<ns>.<name>.<port>`; a Consumer resource keeps its own username. Pure.

export type EntityKindName = 'service' | 'route' | 'consumer';

/** Null for objects the API manages; otherwise the words of the badge (the resource when the name tells it). */
export function managedOwner(kind: EntityKindName, name: string, managedBy: string): string | null {
  if (managedBy !== 'kubernetes') return null;
  if (kind === 'consumer') return `Consumer resource (username ${name})`;
  const routeResource = /^k8s\.([^.]+)\.(.+)$/.exec(name);
  if (routeResource !== null) return `Route ${routeResource[1]}/${routeResource[2]}`;
  const servicePort = /^gwapi\.svc\.([^.]+)\.(.+)\.(\d+)$/.exec(name);
  if (kind === 'service' && servicePort !== null) return `Service ${servicePort[1]}/${servicePort[2]} port ${servicePort[3]}`;
  const httpRoute = /^gwapi\.([^.]+)\.(.+)\.[0-9a-f]{8}\.(\d+)\.(\d+)$/.exec(name);
  if (kind === 'route' && httpRoute !== null) return `HTTPRoute ${httpRoute[1]}/${httpRoute[2]} (rule ${httpRoute[3]}, match ${httpRoute[4]})`;
  return 'a Kubernetes resource';
}
