// Status conditions per the Kubernetes API conventions: type, status, reason, message, lastTransitionTime
// (changed only when the status flips) and observedGeneration.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/** The conditions after setting `next`: the others kept, lastTransitionTime kept unless the status changed. */
export function setCondition(existing: readonly Condition[] | undefined, next: ConditionInput, generation: number, now: Date): Condition[] {
  const current = (existing ?? []).find((condition) => condition.type === next.type);
  const lastTransitionTime = current !== undefined && current.status === next.status ? current.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime, observedGeneration: generation };
  const others = (existing ?? []).filter((condition) => condition.type !== next.type);
  return [...others, updated].sort((a, b) => a.type.localeCompare(b.type));
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Conditions whose status or reason changed from `before` to `after`: what deserves an Event. */
export function transitions(before: readonly Condition[] | undefined, after: readonly Condition[]): Condition[] {
  return after.filter((condition) => {
    const old = findCondition(before, condition.type);
    return old === undefined || old.status !== condition.status || old.reason !== condition.reason;
  });
}

/** Deep equality of JSON values, to skip status writes that would change nothing. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const bKeys = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
