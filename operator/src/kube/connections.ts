// client-node 1.x builds a new https.Agent for every request, so every call pays a TLS handshake. The operator
// makes thousands of calls (status, events, leases): one keep-alive agent per distinct TLS setup is reused.
import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

type CreateAgent = (cluster: unknown, options: Record<string, unknown>) => Agent;

const patched = new WeakSet<KubeConfig>();

/** Makes `kubeConfig` hand out one shared keep-alive agent per cluster and TLS material. */
export function reuseConnections(kubeConfig: KubeConfig): void {
  if (patched.has(kubeConfig)) return;
  patched.add(kubeConfig);
  const target = kubeConfig as unknown as { createAgent: CreateAgent };
  const original = target.createAgent.bind(kubeConfig);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const material = ['ca', 'cert', 'key', 'pfx', 'rejectUnauthorized', 'servername']
      .map((field) => String(options[field] ?? ''))
      .join('\0');
    const key = `${(cluster as { server?: string } | null)?.server ?? ''}\0${createHash('sha256').update(material).digest('hex')}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}
