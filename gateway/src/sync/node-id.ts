// The node id a gateway says hello with (DESIGN §6, §8): NODE_ID when set, else `<hostname>-<pid>`. The control
// plane counts plan slots by node id and lets a second connection with the same id replace the first (4409),
// so ids must be unique per process: each worker of a WORKERS>1 gateway gets its own suffix.
import { NODE_ID_PATTERN } from '../protocol/index.js';

/** NODE_ID leaves room for a worker suffix. */
export const NODE_ID_MAX_LENGTH = 120;

/** Null when `value` is a valid NODE_ID, else what is wrong with it. */
export function nodeIdProblem(value: string): string | null {
  if (value.length > NODE_ID_MAX_LENGTH || !NODE_ID_PATTERN.test(value)) {
    return `must be 1-${NODE_ID_MAX_LENGTH} characters of [A-Za-z0-9._:-]`;
  }
  return null;
}

export interface NodeIdSource {
  /** NODE_ID, when set. */
  configured: string | undefined;
  hostname: string;
  pid: number;
  /** node:cluster worker id when the gateway runs several workers. */
  workerId: number | undefined;
}

export function gatewayNodeId({ configured, hostname, pid, workerId }: NodeIdSource): string {
  if (configured !== undefined) return workerId === undefined ? configured : `${configured}-w${workerId}`;
  // A pod's hostname in Kubernetes; the pid keeps several gateways (or workers) on one host apart.
  const host = hostname.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, NODE_ID_MAX_LENGTH) || 'gateway';
  return `${host}-${pid}`;
}
