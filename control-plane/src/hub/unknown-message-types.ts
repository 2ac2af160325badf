// Pure: a message of a type this control plane does not know (a newer gateway's) is counted and ignored
// (DESIGN §10 Compatibility), and its type becomes a metric label only while the set of labels stays small.
import { gatewayMessage } from '@novagate/gateway/protocol';

/** The `type` of every message a gateway may send (protocol.ts). */
export const KNOWN_GATEWAY_MESSAGE_TYPES: ReadonlySet<string> = new Set(gatewayMessage.options.map((option) => option.shape.type.value));

/** Distinct unknown types labelled by name; any further one, or one not shaped like a type name, is `other`. */
export const MAX_UNKNOWN_TYPE_LABELS = 16;
const TYPE_LABEL_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** The `type` of a parsed message when it is a string this control plane does not know, else null. */
export function unknownMessageType(parsed: unknown): string | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { type } = parsed as { type?: unknown };
  if (typeof type !== 'string' || KNOWN_GATEWAY_MESSAGE_TYPES.has(type)) return null;
  return type;
}

/** Maps unknown types to bounded metric labels: the first MAX_UNKNOWN_TYPE_LABELS well-formed ones by name. */
export function createUnknownTypeLabels(limit = MAX_UNKNOWN_TYPE_LABELS): (type: string) => string {
  const labelled = new Set<string>();
  return (type) => {
    if (!TYPE_LABEL_PATTERN.test(type)) return 'other';
    if (labelled.has(type)) return type;
    if (labelled.size >= limit) return 'other';
    labelled.add(type);
    return type;
  };
}
