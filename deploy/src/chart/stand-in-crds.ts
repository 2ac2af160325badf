// Stand-ins for the CRDs of the Prometheus Operator (ServiceMonitor, PrometheusRule) and cert-manager
// (Certificate), which a cluster with those operators has: names, group, version and scope as theirs, with a
// schema that keeps any spec (their real schemas are not checked here; kube-schema.test.ts checks the objects).
import { stringify } from 'yaml';

function standInCrd(group: string, kind: string, plural: string): object {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
    },
  };
}

const standIns: [group: string, kind: string, plural: string][] = [
  ['monitoring.coreos.com', 'ServiceMonitor', 'servicemonitors'],
  ['monitoring.coreos.com', 'PrometheusRule', 'prometheusrules'],
  ['cert-manager.io', 'Certificate', 'certificates'],
];

/** The stand-in CRDs as one multi-document YAML, for `kubectl apply -f -`. */
export const standInCrdsYaml = standIns.map(([group, kind, plural]) => stringify(standInCrd(group, kind, plural))).join('---\n');

/** `crd/<name>` of each stand-in, for `kubectl wait --for=condition=Established`. */
export const standInCrdRefs = standIns.map(([group, , plural]) => `crd/${plural}.${group}`);
