// events.k8s.io/v1 Events are a second view of the core v1 Events, as in the real server: one storage, two shapes.
import { isPlainObject, type KubeObject } from './object.js';

/** events.k8s.io/v1 field ← core/v1 field. */
const renames: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(object: KubeObject, pairs: Array<[string, string]>): KubeObject {
  const result: KubeObject = { ...object };
  for (const [from, to] of pairs) {
    if (from in result) {
      result[to] = result[from];
      delete result[from];
    }
  }
  return result;
}

/** Core v1 Event → events.k8s.io/v1 Event. */
export function toEventsV1(core: KubeObject): KubeObject {
  const event = rename(core, renames.map(([v1, c]) => [c, v1]));
  if (isPlainObject(event.series) && 'lastObservedTime' in event.series) event.series = { count: event.series.count, lastObservedTime: event.series.lastObservedTime };
  return { ...event, apiVersion: 'events.k8s.io/v1' };
}

/** events.k8s.io/v1 Event → core v1 Event, the stored shape. */
export function toCoreEvent(event: KubeObject): KubeObject {
  return { ...rename(event, renames), apiVersion: 'v1' };
}

/** events.k8s.io/v1 field selectors, in core terms. */
export function coreEventField(field: string): string {
  for (const [v1, core] of renames) if (field === v1 || field.startsWith(`${v1}.`)) return core + field.slice(v1.length);
  return field;
}
