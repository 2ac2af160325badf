import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReply, RespError } from './resp-client.js';

test('RESP replies are parsed whole or not at all', () => {
  const reply = Buffer.from('*3\r\n:1\r\n$5\r\nhello\r\n*2\r\n+OK\r\n-ERR bad\r\n');
  const parsed = parseReply(reply, 0);
  assert.equal(parsed?.next, reply.length);
  const [one, hello, nested] = parsed?.value as [number, string, [string, RespError]];
  assert.deepEqual([one, hello, nested[0]], [1, 'hello', 'OK']);
  assert.ok(nested[1] instanceof RespError && nested[1].message === 'ERR bad');
  for (let cut = 1; cut < reply.length; cut++) assert.equal(parseReply(reply.subarray(0, cut), 0), undefined, `cut at ${cut}`);
  assert.deepEqual(parseReply(Buffer.from('$-1\r\n'), 0), { value: null, next: 5 });
});

test('RESP integers are read in place: negative, multi-digit, and in arrays', () => {
  assert.deepEqual(parseReply(Buffer.from(':-42\r\n'), 0), { value: -42, next: 6 });
  assert.deepEqual(parseReply(Buffer.from('*2\r\n:1\r\n:1234567890\r\n'), 0)?.value, [1, 1234567890]);
  assert.deepEqual(parseReply(Buffer.from('$3\r\nabc\r\n'), 0), { value: 'abc', next: 9 });
  assert.deepEqual(parseReply(Buffer.from('*-1\r\n'), 0), { value: null, next: 5 });
});
