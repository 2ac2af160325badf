// Pure: an HTTPRoute's next `status.parents` (Gateway API RouteParentStatus). Our controller owns only the entries
// with its controllerName: they are replaced by the current verdicts (one per parentRef of ours, the parentRef as
// written), every other controller's entry is kept as it is, and nothing is written when nothing changed.
import { jsonEqual, setCondition, type ConditionInput } from '../../conditions.js';
import type { ParentReference } from '../../gateway-api/attach.js';
import type { HttpRouteResource, RouteParentStatus } from '../../kube/resources.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';

export interface ParentConditions {
  parentRef: ParentReference;
  accepted: ConditionInput;
  resolvedRefs: ConditionInput;
}

/** Gateway API caps status.parents at 32 entries. */
const MAX_PARENTS = 32;

const sameRef = (a: ParentReference, b: ParentReference) => jsonEqual(a, b);

/** The parents list to write, or null when the route's status already says exactly this. */
export function nextRouteParents(route: HttpRouteResource, verdicts: readonly ParentConditions[], now: Date): RouteParentStatus[] | null {
  const generation = route.metadata.generation ?? 0;
  const current = route.status?.parents ?? [];
  const others = current.filter((entry) => entry.controllerName !== GATEWAY_CONTROLLER_NAME);
  const ours = verdicts.map((verdict) => {
    const previous = current.find((entry) => entry.controllerName === GATEWAY_CONTROLLER_NAME && sameRef(entry.parentRef, verdict.parentRef));
    let conditions = previous?.conditions ?? [];
    for (const condition of [verdict.accepted, verdict.resolvedRefs]) conditions = setCondition(conditions, condition, generation, now);
    return { parentRef: verdict.parentRef, controllerName: GATEWAY_CONTROLLER_NAME, conditions };
  });
  const next = [...others, ...ours].slice(0, MAX_PARENTS);
  return jsonEqual(current, next) ? null : next;
}
