// Writes a resource's status through the status subresource when, and only when, it changed; one Event per
// condition transition.
import { jsonEqual, setCondition, transitions, type Condition, type ConditionInput } from '../conditions.js';
import type { CustomKind, KubeAccess, KubeObject } from '../kube/resources.js';

export interface StatusUpdate {
  conditions: ConditionInput[];
  /** Other status fields (tenantId, configVersion, …). */
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
  const next: Record<string, unknown> = { ...(object.status ?? {}), ...(update.fields ?? {}), observedGeneration: generation, conditions };
  if (jsonEqual(object.status ?? {}, next)) return false;
  await kube.patchStatus(plural, object, next);
  for (const changed of transitions(object.status?.conditions, conditions)) {
    if (changed.reason === 'Pending') continue; // a moment between two versions, not worth an Event
    await kube.recordEvent(object, changed.status === 'True' ? 'Normal' : 'Warning', changed.reason, `${changed.type}: ${changed.message}`, now);
  }
  return true;
}
