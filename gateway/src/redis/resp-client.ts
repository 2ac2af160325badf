// A small Redis client (RESP2) for the rate limiter's hot path (policies/rate-limit/redis-backend.ts), also
// used for the config cache (sync/config-cache.ts). ioredis cost tens of microseconds of CPU per command there (command objects, promises, argument flattening, auto-pipeline bookkeeping), about half
// of what a whole proxied request costs; this client writes the commands of one event-loop turn in one
// write and parses integer replies in place. It never queues while disconnected and bounds every command,
// so a dead Redis never holds a request: commands fail at once while offline, and if the oldest command
// has waited longer than the timeout the connection is dropped and everything pending fails.
// `rediss://` speaks TLS and verifies the server's certificate (CA and hostname); it never falls back to
// plaintext.
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { createHash } from 'node:crypto';

export type RespValue = string | number | null | RespError | RespValue[];

export class RespError extends Error {
  override name = 'RespError';
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** A script call sent as EVALSHA, kept so that it can be sent again as EVAL when Redis answers NOSCRIPT. */
interface ScriptCall {
  script: string;
  keys: readonly string[];
  args: readonly (string | number)[];
}

interface Pending {
  sentAt: number;
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
  script: ScriptCall | undefined;
}

export type RedisStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** PEM text for `rediss://`: the CA that signed the server's certificate (default: Node's CAs), and a client certificate. */
export interface RespTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface RespClientOptions {
  commandTimeoutMs?: number;
  /** How long the TCP connection and, with rediss://, the TLS handshake may take (default 5 s). */
  connectTimeoutMs?: number;
  /** Used only with a rediss:// URL. */
  tls?: RespTlsOptions;
  onError?: (error: Error) => void;
  onReady?: () => void;
}

export interface RespClient {
  status(): RedisStatus;
  command(args: readonly (string | number)[]): Promise<RespValue>;
  /** EVALSHA, falling back to EVAL once when Redis does not know the script (after a restart). */
  evalScript(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<RespValue>;
  /** Writes the queued commands now instead of at the end of this event-loop turn. */
  flush(): void;
  close(): void;
}

function bulkString(arg: string | number): string {
  // A number's text is ASCII: its length is its byte count.
  const text = typeof arg === 'number' ? String(arg) : arg;
  return `$${typeof arg === 'number' ? text.length : Buffer.byteLength(text)}\r\n${text}\r\n`;
}

function encode(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += bulkString(arg);
  return out;
}

/** EVALSHA <sha> <key count> keys... args..., with the part that names the script encoded once per script. */
function encodeEvalSha(scriptHead: string, keys: readonly string[], args: readonly (string | number)[]): string {
  let out = `*${3 + keys.length + args.length}\r\n${scriptHead}${bulkString(keys.length)}`;
  for (const key of keys) out += bulkString(key);
  for (const arg of args) out += bulkString(arg);
  return out;
}

/** The decimal integer in buffer[start, end), read without making a string (RESP lengths and integer replies). */
function readInteger(buffer: Buffer, start: number, end: number): number {
  let i = start;
  const negative = buffer[i] === 45; // -
  if (negative) i++;
  if (i === end) return NaN;
  let value = 0;
  for (; i < end; i++) {
    const digit = (buffer[i] as number) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

interface Parsed {
  value: RespValue;
  next: number;
}

/** Parses one reply at `offset`, or returns undefined when the buffer holds only part of it. */
export function parseReply(buffer: Buffer, offset: number): Parsed | undefined {
  if (offset >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = buffer[offset];
  const next = lineEnd + 2;
  switch (type) {
    case 43: // +
      return { value: buffer.toString('utf8', offset + 1, lineEnd), next };
    case 45: // -
      return { value: new RespError(buffer.toString('utf8', offset + 1, lineEnd)), next };
    case 58: // :
      return { value: readInteger(buffer, offset + 1, lineEnd), next };
    case 36: {
      // $
      const length = readInteger(buffer, offset + 1, lineEnd);
      if (length < 0) return { value: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case 42: {
      // *
      const count = readInteger(buffer, offset + 1, lineEnd);
      if (count < 0) return { value: null, next };
      const items: RespValue[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (item === undefined) return undefined;
        items.push(item.value);
        position = item.next;
      }
      return { value: items, next: position };
    }
    default:
      throw new RespError(`unexpected reply type ${String(type)}`);
  }
}

export function createRespClient(redisUrl: string, options: RespClientOptions = {}): RespClient {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('the Redis URL must start with redis:// or rediss://');
  const useTls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(url.port || 6379);
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);
  const db = Number(url.pathname.slice(1) || 0);
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  /** Per script, `EVALSHA <sha1>` encoded. */
  const scriptHeads = new Map<string, string>();

  let socket: Socket | undefined;
  /** The socket whose TCP connection (and TLS handshake, with rediss://) is done. */
  let connected: Socket | undefined;
  let status: RedisStatus = 'connecting';
  let queue: Pending[] = [];
  let head = 0;
  let outgoing: string[] = [];
  let flushScheduled = false;
  let leftover: Buffer | undefined;
  let attempts = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  function failAll(error: Error): void {
    const pending = queue.slice(head);
    queue = [];
    head = 0;
    outgoing = [];
    leftover = undefined;
    for (const entry of pending) entry.reject(error);
  }

  function flush(): void {
    flushScheduled = false;
    writeQueued();
  }

  function writeQueued(): void {
    if (outgoing.length === 0 || socket === undefined) return;
    const chunk = outgoing.length === 1 ? (outgoing[0] as string) : outgoing.join('');
    outgoing = [];
    socket.write(chunk);
  }

  function onData(data: Buffer): void {
    let buffer = leftover === undefined ? data : Buffer.concat([leftover, data]);
    let offset = 0;
    for (;;) {
      let parsed: Parsed | undefined;
      try {
        parsed = parseReply(buffer, offset);
      } catch (error) {
        socket?.destroy(error as Error);
        return;
      }
      if (parsed === undefined) break;
      offset = parsed.next;
      const entry = queue[head++];
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if (entry === undefined) continue;
      const { value } = parsed;
      if (entry.script !== undefined && value instanceof RespError && value.message.startsWith('NOSCRIPT')) {
        // Redis restarted and lost the script: the same call once more as EVAL, answering the same promise.
        const { script, keys, args } = entry.script;
        enqueue(encode(['EVAL', script, keys.length, ...keys, ...args]), { ...entry, sentAt: Date.now(), script: undefined });
        continue;
      }
      entry.resolve(value);
    }
    buffer = buffer.subarray(offset);
    leftover = buffer.length === 0 ? undefined : Buffer.from(buffer);
  }

  /** Queues an encoded command; the commands of one event-loop turn go out in one write. */
  function enqueue(encoded: string, entry: Pending): void {
    queue.push(entry);
    outgoing.push(encoded);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  function send(encoded: string, script?: ScriptCall): Promise<RespValue> {
    return new Promise((resolve, reject) => enqueue(encoded, { sentAt: Date.now(), resolve, reject, script }));
  }

  function open(): void {
    // With TLS nothing is written before the handshake, and so before the certificate is verified.
    const current = useTls
      ? connectTls({
          host,
          port,
          servername: isIP(host) === 0 ? host : undefined,
          ca: options.tls?.ca,
          cert: options.tls?.cert,
          key: options.tls?.key,
          rejectUnauthorized: true,
        })
      : connect({ host, port });
    socket = current;
    current.setNoDelay(true);
    // A server that never answers the handshake (a plaintext Redis reading a ClientHello waits for a newline
    // that never comes) would otherwise leave the client connecting forever.
    const connectTimer = setTimeout(
      () => current.destroy(new RedisUnavailableError(`no ${useTls ? 'TLS handshake' : 'connection'} with Redis within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    current.on(useTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      attempts = 0;
      connected = current;
      const handshake: Promise<RespValue>[] = [];
      if (password !== '') handshake.push(send(encode(username === '' ? ['AUTH', password] : ['AUTH', username, password])));
      if (db !== 0) handshake.push(send(encode(['SELECT', db])));
      // In TLS 1.3 the server checks a client certificate after the client's handshake is done: only a
      // reply proves that the connection was accepted.
      if (useTls) handshake.push(send(encode(['PING'])));
      void Promise.all(handshake).then((replies) => {
        const refused = replies.find((reply): reply is RespError => reply instanceof RespError);
        if (refused !== undefined) {
          options.onError?.(refused);
          current.destroy();
          return;
        }
        status = 'ready';
        options.onReady?.();
      }, () => undefined);
    });
    current.on('data', onData);
    current.on('error', (error) => options.onError?.(error));
    current.on('close', () => {
      clearTimeout(connectTimer);
      if (socket !== current) return;
      socket = undefined;
      failAll(new RedisUnavailableError('connection to Redis lost'));
      if (status === 'closed') return;
      status = 'reconnecting';
      attempts++;
      reconnectTimer = setTimeout(open, Math.min(attempts * 100, 1_000));
    });
  }

  // One sweep instead of a timer per command: a command older than the timeout means Redis stopped
  // answering; the connection is dropped so that every pending request fails now rather than later.
  const sweep = setInterval(() => {
    const oldest = queue[head];
    if (oldest !== undefined && Date.now() - oldest.sentAt > commandTimeoutMs) {
      socket?.destroy(new RedisUnavailableError('Redis did not answer in time'));
    }
  }, Math.max(10, Math.min(100, Math.floor(commandTimeoutMs / 4))));
  sweep.unref();

  open();

  function unavailable(): boolean {
    return status !== 'ready' && !(status === 'connecting' && socket !== undefined && connected === socket);
  }

  return {
    status: () => status,
    command(args) {
      if (unavailable()) return Promise.reject(new RedisUnavailableError(`Redis is ${status}`));
      return send(encode(args));
    },
    evalScript(script, keys, args) {
      if (unavailable()) return Promise.reject(new RedisUnavailableError(`Redis is ${status}`));
      let scriptHead = scriptHeads.get(script);
      if (scriptHead === undefined) {
        scriptHead = `${bulkString('EVALSHA')}${bulkString(createHash('sha1').update(script).digest('hex'))}`;
        scriptHeads.set(script, scriptHead);
      }
      return send(encodeEvalSha(scriptHead, keys, args), { script, keys, args });
    },
    flush: writeQueued,
    close() {
      status = 'closed';
      clearInterval(sweep);
      clearTimeout(reconnectTimer);
      socket?.destroy();
      failAll(new RedisUnavailableError('Redis client closed'));
    },
  };
}
