// Which gateway connection needs which config frame (DESIGN §6): a pure decision from what each connection
// runs and refused and the newest frame it is due (its tenant's whole config, or for a key bound to a Gateway that
// Gateway's slice: same version, the slice's own hash); the hub sends what it decides (config-push.ts).

export interface ConfigVersionId {
  version: number;
  hash: string;
}

/** What the decision reads of a gateway connection. */
export interface PushCandidate {
  tenantId: string;
  /** Null until the gateway's hello is admitted: it gets nothing before. */
  nodeId: string | null;
  /** The version and hash it last reported running (hello or ack). */
  configVersion: number | null;
  configHash: string | null;
  /** Version last refused by this gateway, not pushed again until a newer one exists. */
  nackedVersion: number | null;
}

export type PushDecision =
  /** Nothing to compare yet: no admitted hello, or no version of its tenant known here. */
  | { action: 'wait' }
  /** It runs the newest version. */
  | { action: 'current' }
  /** It lacks the newest version (behind, ahead after a restore, or the same number with another hash). */
  | { action: 'send'; version: number }
  /** It lacks the newest version but gets nothing now: it refused that version, or its socket is closing. */
  | { action: 'hold'; reason: 'nacked' | 'closed' };

export function isCurrent(connection: Pick<PushCandidate, 'configVersion' | 'configHash'>, newest: ConfigVersionId): boolean {
  return connection.configVersion === newest.version && connection.configHash === newest.hash;
}

/**
 * The decision for one connection, given its tenant's newest version (null when none is known here) and
 * whether its socket can still be written (a replaced or closing connection's cannot).
 */
export function pushDecision(connection: PushCandidate, newest: ConfigVersionId | null, open: boolean): PushDecision {
  if (newest === null || connection.nodeId === null) return { action: 'wait' };
  if (isCurrent(connection, newest)) return { action: 'current' };
  if (connection.nackedVersion === newest.version) return { action: 'hold', reason: 'nacked' };
  if (!open) return { action: 'hold', reason: 'closed' };
  return { action: 'send', version: newest.version };
}

/** The decision for each connection, given the newest version and hash each is due (null: none known). */
export function decidePushes<C extends PushCandidate>(
  connections: Iterable<C>,
  newestOf: (connection: C) => ConfigVersionId | null,
  isOpen: (connection: C) => boolean,
): { connection: C; decision: PushDecision }[] {
  const decisions: { connection: C; decision: PushDecision }[] = [];
  for (const connection of connections) {
    decisions.push({ connection, decision: pushDecision(connection, newestOf(connection), isOpen(connection)) });
  }
  return decisions;
}
