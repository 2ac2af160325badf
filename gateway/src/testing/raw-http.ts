// HTTP/1.1 spoken by hand over TCP, for tests that must send what no HTTP client would (pipelined requests,
// odd request targets, upgrades) and see every byte an upstream receives.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Parses the complete responses at the start of `data` (Content-Length, chunked, or no body for 1xx/204/304);
 * `rest` is what follows them (a partial response, or bytes of a protocol switched to).
 */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const lines = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const status = Number((lines[0] ?? '').split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let cursor = headEnd + 4;
    let body: Buffer = Buffer.alloc(0);
    if (status === 101 || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      // no body
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const chunks: Buffer[] = [];
      let complete = false;
      for (;;) {
        const sizeEnd = data.indexOf('\r\n', cursor);
        if (sizeEnd === -1) break;
        const size = parseInt(data.subarray(cursor, sizeEnd).toString('latin1'), 16);
        if (data.length < sizeEnd + 2 + size + 2) break;
        chunks.push(data.subarray(sizeEnd + 2, sizeEnd + 2 + size));
        cursor = sizeEnd + 2 + size + 2;
        if (size === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      body = Buffer.concat(chunks);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < cursor + length) break;
      body = data.subarray(cursor, cursor + length);
      cursor += length;
    }
    responses.push({ status, headers, body: body.toString('utf8') });
    offset = cursor;
    if (status === 101) break;
  }
  return { responses, rest: data.subarray(offset) };
}

export interface RawExchange {
  responses: RawResponse[];
  /** Bytes after the last complete response. */
  rest: Buffer;
  /** The server closed the connection. */
  closed: boolean;
}

/**
 * Writes `bytes` to 127.0.0.1:`port` and reads until `expected` responses arrived, the server closed, or
 * `timeoutMs` passed (then it reports what it has: a test asserts on what the client saw).
 */
export async function rawExchange(port: number, bytes: string | Buffer, expected: number, timeoutMs = 5_000): Promise<RawExchange> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let data = Buffer.alloc(0);
  let closed = false;
  const result = await new Promise<RawExchange>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      resolve({ ...parseResponses(data), closed });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (parseResponses(data).responses.length >= expected) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(bytes);
  });
  socket.destroy();
  return result;
}

export interface RawUpstream {
  port: number;
  /** Every byte each connection sent, one entry per connection. */
  received: string[];
  /** Everything received on every connection. */
  all(): string;
  close(): Promise<void>;
}

/**
 * A TCP server that answers the first request head of each connection with `answer(head, socket)`; what it
 * writes is up to the test (a 200, a 101 with any Sec-WebSocket-Accept, …). Later bytes are only recorded.
 */
export async function startRawUpstream(answer: (head: string, socket: Socket) => void): Promise<RawUpstream> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = received.push('') - 1;
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      received[index] += chunk.toString('latin1');
      const text = received[index] as string;
      if (!answered && text.includes('\r\n\r\n')) {
        answered = true;
        answer(text.slice(0, text.indexOf('\r\n\r\n') + 4), socket);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    received,
    all: () => received.join(''),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The value of header `name` in a raw request head, or undefined. */
export function headerOf(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}
