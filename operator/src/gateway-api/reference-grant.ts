// Pure: whether a ReferenceGrant (gateway.networking.k8s.io/v1beta1) lets an object in one namespace refer to an
// object in another: a route's backendRef to a Service, a Gateway's certificateRef to a Secret. References within
// one namespace need no grant. The core API group is ''.

export interface ReferenceGrantObject {
  metadata: { namespace: string; name: string };
  spec: {
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
  };
}

export interface Referrer {
  group: string;
  kind: string;
  namespace: string;
}

export interface Referent {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Whether `from` may refer to `to`, given every ReferenceGrant of the cluster (only those in `to`'s namespace count). */
export function referenceAllowed(from: Referrer, to: Referent, grants: readonly ReferenceGrantObject[]): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata.namespace === to.namespace &&
      grant.spec.from.some((entry) => entry.group === from.group && entry.kind === from.kind && entry.namespace === from.namespace) &&
      grant.spec.to.some((entry) => entry.group === to.group && entry.kind === to.kind && (entry.name === undefined || entry.name === '' || entry.name === to.name)),
  );
}
