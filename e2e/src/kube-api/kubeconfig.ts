// The kubeconfig that points kubectl and @kubernetes/client-node at a test server.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  clusterName?: string;
  namespace?: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.clusterName ?? 'novagate-kube-api';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name: `${cluster}-admin`, user: { token: input.token } }],
    contexts: [{ name: cluster, context: { cluster, user: `${cluster}-admin`, namespace: input.namespace ?? 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}
