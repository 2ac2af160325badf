// Whether the pods that answered a run of requests are spread over the backends as their weights say: upstream's
// TestWeightedDistribution rule (every weighted backend hit, each share within 5 points, no other backend).

/** The backend (Deployment) of a pod name: the name without its ReplicaSet hash and pod suffix. */
export function backendOfPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod;
}

/** null when the answers match the weights, else what is off. */
export function weightedDistributionError(pods: readonly string[], weights: Readonly<Record<string, number>>, tolerance = 0.05): string | null {
  const seen = new Map<string, number>();
  for (const pod of pods) {
    const backend = backendOfPod(pod);
    if (!(backend in weights)) return `request was handled by an unexpected pod ${JSON.stringify(pod)} (backend ${JSON.stringify(backend)})`;
    seen.set(backend, (seen.get(backend) ?? 0) + 1);
  }
  const errors: string[] = [];
  const active = Object.values(weights).filter((weight) => weight > 0).length;
  if (seen.size !== active) errors.push(`expected ${active} backends to receive traffic, got ${seen.size}`);
  for (const [backend, want] of Object.entries(weights)) {
    const count = seen.get(backend);
    if (count === undefined && want !== 0) {
      errors.push(`backend ${backend} received no traffic`);
      continue;
    }
    const share = (count ?? 0) / pods.length;
    if (Math.abs(share - want) > tolerance) errors.push(`backend ${backend} got ${share.toFixed(3)} of the traffic, want ${want} ±${tolerance}`);
  }
  return errors.length === 0 ? null : errors.sort().join('; ');
}
