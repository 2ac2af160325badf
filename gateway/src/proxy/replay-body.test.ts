import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { ReplayableBody, ReplayMemory } from './replay-body.js';

/** The body's next attempt, which the test expects to be possible. */
function attemptOf(body: ReplayableBody): Readable {
  const stream = body.attempt();
  assert.ok(stream !== undefined, 'the body can be sent again');
  return stream;
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

test('a later attempt gets the whole body again: the kept bytes, then the rest from the client', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, new ReplayMemory(), 1_024);
  const first = attemptOf(body);
  client.write('hello ');
  assert.equal(String(await new Promise<Buffer>((resolve) => first.once('data', resolve))), 'hello ');
  first.destroy(); // the attempt failed; the client's stream is untouched
  assert.equal(client.destroyed, false);
  assert.equal(body.replayable, true);
  const second = attemptOf(body);
  client.end('world');
  assert.equal(await readAll(second), 'hello world');
  assert.equal(await readAll(attemptOf(body)), 'hello world', 'a body read to its end is replayed whole');
});

test('past the buffer the body is no longer replayable and its kept bytes are dropped', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, new ReplayMemory(), 8);
  const first = attemptOf(body);
  client.end('0123456789');
  assert.equal(await readAll(first), '0123456789');
  assert.equal(body.replayable, false);
  assert.equal(body.attempt(), undefined, 'an attempt that cannot send the whole body is refused, never thrown');
});

test('nothing is read from the client before an attempt asks for it', async () => {
  const client = new PassThrough();
  client.write('waiting');
  new ReplayableBody(client, new ReplayMemory(), 4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.readableLength, 7, 'the bytes stay with the client until an attempt sends them');
});

test('a client stream that fails fails the current attempt and every later one', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, new ReplayMemory(), 1_024);
  const first = attemptOf(body);
  client.destroy(new Error('client went away'));
  await assert.rejects(readAll(first), /client went away/);
  assert.equal(body.replayable, false);
});

test('attacker: the replay buffers of a process share a bound; a body that finds it full is not replayable', async () => {
  const memory = new ReplayMemory(10);
  const firstClient = new PassThrough();
  const first = new ReplayableBody(firstClient, memory, 1_024);
  firstClient.end('12345678');
  assert.equal(await readAll(attemptOf(first)), '12345678');
  assert.equal(memory.usedBytes, 8);
  const secondClient = new PassThrough();
  const second = new ReplayableBody(secondClient, memory, 1_024);
  secondClient.end('abcdef');
  assert.equal(await readAll(attemptOf(second)), 'abcdef', 'the body still goes out, it is only not kept');
  assert.equal(second.replayable, false);
  assert.equal(memory.usedBytes, 8);
  first.drop();
  first.drop();
  assert.equal(memory.usedBytes, 0, 'dropping gives the bytes back, once');
  assert.equal(first.replayable, false);
});

test('once a retry is decided the old attempt reads no more of the client\'s body, so the retry can still send it whole', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, new ReplayMemory(), 8);
  const first = attemptOf(body);
  client.write('1234');
  assert.equal(String(await new Promise<Buffer>((resolve) => first.once('data', resolve))), '1234');
  body.detach();
  assert.equal(first.destroyed, true, 'the given-up attempt ends without the rest of the body');
  client.write('5678901234'); // more than the buffer holds, while the retry waits for its backoff
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(body.replayable, true, 'nothing was read past what the buffer keeps');
  const second = attemptOf(body);
  client.end();
  assert.equal(await readAll(second), '12345678901234');
});
