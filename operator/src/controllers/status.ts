// Writes a resource's status through the status subresource when, and only when, it changed; one Event per
// condition transition.
import { jsonEqual, setCondition, transitions, type Condition, type ConditionInput } from '../conditions.js';
import type { CustomKind, KubeAccess, KubeObject } from '../kube/resources.js';

export interface StatusUpdate {
  conditions: ConditionInput[];
  /** Other status fields (tenantId, configVersion, …); null removes a field. */
  fields?: Record<string, unknown>;
}

export async function writeStatus(
  kube: KubeAccess,
  plural: CustomKind,
  object: KubeObject & { status?: { conditions?: Condition[] } },
  update: StatusUpdate,
  now: Date,
): Promise<boolean> {
  const generation = object.metadata.generation ?? 0;
  let conditions = object.status?.conditions ?? [];
  for (const condition of update.conditions) conditions = setCondition(conditions, condition, generation, now);
  const merged: Record<string, unknown> = { ...(object.status ?? {}), ...(update.fields ?? {}), observedGeneration: generation, conditions };
  const next = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== null));
  if (jsonEqual(object.status ?? {}, next)) return false;
  // A JSON merge patch: the nulls left in `merged` delete those fields, so no stale value outlives its meaning.
  await kube.patchStatus(plural, object, merged);
  for (const changed of transitions(object.status?.conditions, conditions)) {
    if (changed.reason === 'Pending') continue; // a moment between two versions, not worth an Event
    await kube.recordEvent(object, changed.status === 'True' ? 'Normal' : 'Warning', changed.reason, `${changed.type}: ${changed.message}`, now);
  }
  return true;
}
