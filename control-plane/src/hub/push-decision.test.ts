import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePushes, type ConfigVersionId, type PushCandidate, type PushDecision } from './push-decision.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const hash = (c: string) => c.repeat(64);

type Candidate = PushCandidate & { id: string; open: boolean };

/** A gateway of tenant A that said hello running v1, socket open, nothing refused; `changes` override. */
const gateway = (id: string, changes: Partial<Candidate> = {}): Candidate => ({
  id,
  tenantId: A,
  nodeId: `node-${id}`,
  configVersion: 1,
  configHash: hash('1'),
  nackedVersion: null,
  open: true,
  ...changes,
});

const newest = (entries: [string, number, string][]): Map<string, ConfigVersionId> =>
  new Map(entries.map(([tenantId, version, h]) => [tenantId, { version, hash: h }]));

const WAIT: PushDecision = { action: 'wait' };
const CURRENT: PushDecision = { action: 'current' };
const send = (version: number): PushDecision => ({ action: 'send', version });

const cases: { name: string; connections: Candidate[]; newest: Map<string, ConfigVersionId>; expected: Record<string, PushDecision> }[] = [
  {
    name: 'a new connection gets nothing before its hello is admitted',
    connections: [gateway('a', { nodeId: null, configVersion: null, configHash: null })],
    newest: newest([[A, 3, hash('3')]]),
    expected: { a: WAIT },
  },
  {
    name: 'a gateway that said hello without any config gets the newest version',
    connections: [gateway('a', { configVersion: null, configHash: null })],
    newest: newest([[A, 3, hash('3')]]),
    expected: { a: send(3) },
  },
  {
    name: 'a gateway already on the newest version and hash gets nothing',
    connections: [gateway('a', { configVersion: 3, configHash: hash('3') })],
    newest: newest([[A, 3, hash('3')]]),
    expected: { a: CURRENT },
  },
  {
    name: 'a gateway behind by several versions gets only the newest one',
    connections: [gateway('a')],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: send(5) },
  },
  {
    name: 'a gateway ahead of the newest version (a restored database) gets the newest one',
    connections: [gateway('a', { configVersion: 7, configHash: hash('7') })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: send(5) },
  },
  {
    name: 'the same version number with another hash is pushed again',
    connections: [gateway('a', { configVersion: 5, configHash: hash('f') })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: send(5) },
  },
  {
    name: 'no version of the tenant known here: nothing to compare, nothing sent',
    connections: [gateway('a')],
    newest: newest([]),
    expected: { a: WAIT },
  },
  {
    name: "another tenant's change reaches none of this tenant's gateways",
    connections: [gateway('a'), gateway('b', { tenantId: B })],
    newest: newest([[B, 2, hash('2')]]),
    expected: { a: WAIT, b: send(2) },
  },
  {
    name: 'a nacked version is not pushed again',
    connections: [gateway('a', { nackedVersion: 4 })],
    newest: newest([[A, 4, hash('4')]]),
    expected: { a: { action: 'hold', reason: 'nacked' } },
  },
  {
    name: 'a version newer than the nacked one is pushed',
    connections: [gateway('a', { nackedVersion: 4 })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: send(5) },
  },
  {
    name: 'a replaced or closing connection that lags is not written to',
    connections: [gateway('a', { open: false })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: { action: 'hold', reason: 'closed' } },
  },
  {
    name: 'a closing connection on the newest version is current',
    connections: [gateway('a', { open: false, configVersion: 5, configHash: hash('5') })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: CURRENT },
  },
  {
    name: 'a refused version on a closing connection counts as refused',
    connections: [gateway('a', { open: false, nackedVersion: 5 })],
    newest: newest([[A, 5, hash('5')]]),
    expected: { a: { action: 'hold', reason: 'nacked' } },
  },
  {
    name: 'each connection of a tenant is decided on its own: the replacement gets the frame, the replaced one does not',
    connections: [
      gateway('old', { nodeId: 'node-x', open: false }),
      gateway('new', { nodeId: 'node-x' }),
      gateway('current', { configVersion: 2, configHash: hash('2') }),
      gateway('waiting', { nodeId: null }),
    ],
    newest: newest([[A, 2, hash('2')]]),
    expected: { old: { action: 'hold', reason: 'closed' }, new: send(2), current: CURRENT, waiting: WAIT },
  },
];

for (const { name, connections, newest: versions, expected } of cases) {
  test(name, () => {
    const decided = Object.fromEntries(decidePushes(connections, (c) => versions.get(c.tenantId) ?? null, (c) => c.open).map(({ connection, decision }) => [connection.id, decision]));
    assert.deepEqual(decided, expected);
  });
}

test("gateways of one tenant bound to different Gateways are each current on their own slice's hash of the tenant's version", () => {
  const slices = new Map([
    ['infra/a', { version: 7, hash: hash('a') }],
    ['team/b', { version: 7, hash: hash('b') }],
  ]);
  const bound = (id: string, owner: string, configHash: string) => ({ ...gateway(id, { configVersion: 7, configHash }), owner });
  const connections = [bound('on-a', 'infra/a', hash('a')), bound('b-running-a', 'team/b', hash('a')), bound('on-b', 'team/b', hash('b'))];
  const decided = Object.fromEntries(decidePushes(connections, (c) => slices.get(c.owner) ?? null, (c) => c.open).map(({ connection, decision }) => [connection.id, decision]));
  assert.deepEqual(decided, { 'on-a': CURRENT, 'b-running-a': send(7), 'on-b': CURRENT });
});
