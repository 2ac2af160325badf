import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { ReplayableBody } from './replay-body.js';

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

test('a later attempt gets the whole body again: the kept bytes, then the rest from the client', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, 1_024);
  const first = body.attempt();
  client.write('hello ');
  assert.equal(String(await new Promise<Buffer>((resolve) => first.once('data', resolve))), 'hello ');
  first.destroy(); // the attempt failed; the client's stream is untouched
  assert.equal(client.destroyed, false);
  assert.equal(body.replayable, true);
  const second = body.attempt();
  client.end('world');
  assert.equal(await readAll(second), 'hello world');
  assert.equal(await readAll(body.attempt()), 'hello world', 'a body read to its end is replayed whole');
});

test('past the buffer the body is no longer replayable and its kept bytes are dropped', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, 8);
  const first = body.attempt();
  client.end('0123456789');
  assert.equal(await readAll(first), '0123456789');
  assert.equal(body.replayable, false);
  assert.throws(() => body.attempt());
});

test('nothing is read from the client before an attempt asks for it', async () => {
  const client = new PassThrough();
  client.write('waiting');
  new ReplayableBody(client, 4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.readableLength, 7, 'the bytes stay with the client until an attempt sends them');
});

test('a client stream that fails fails the current attempt and every later one', async () => {
  const client = new PassThrough();
  const body = new ReplayableBody(client, 1_024);
  const first = body.attempt();
  client.destroy(new Error('client went away'));
  await assert.rejects(readAll(first), /client went away/);
  assert.equal(body.replayable, false);
});
