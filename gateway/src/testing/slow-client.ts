// Slow and numerous clients over raw TCP sockets, for the tests of the slow-client bounds of the gateway and
// the control plane: a client that writes its request in pieces with pauses between them, and reports what
// the server answered and when it closed the connection; connections held open to fill MAX_CONNECTIONS.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

export interface SlowClientResult {
  /** Everything the server sent. */
  answer: string;
  /** Milliseconds from connecting until the server closed (or reset) the connection. */
  closedAfterMs: number;
  /** How many of the pieces were written before the connection closed. */
  piecesWritten: number;
}

/**
 * Connects to 127.0.0.1:`port`, writes `pieces` one after another with `intervalMs` between them, and
 * resolves when the server closes the connection. If every piece is written and the server keeps the
 * connection, the client waits (the test's own timeout then says the bound did not hold).
 */
export async function slowClient(port: number, pieces: readonly string[], intervalMs: number): Promise<SlowClientResult> {
  const socket = connect(port, '127.0.0.1');
  const started = performance.now();
  let answer = '';
  let piecesWritten = 0;
  let open = true;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => undefined); // a reset is a close too
  const closed = once(socket, 'close').then(() => {
    open = false;
  });
  await once(socket, 'connect');
  for (const piece of pieces) {
    if (!open) break;
    socket.write(piece);
    piecesWritten++;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, intervalMs)), closed]);
  }
  await closed;
  return { answer, closedAfterMs: Math.round(performance.now() - started), piecesWritten };
}

/** `text` cut into pieces of `size` characters. */
export function piecesOf(text: string, size = 1): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** Opens a connection and resolves once it is established; the caller ends it. */
export async function openConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Whether the server keeps a fresh connection (answers a request on it) or closes it at once. */
export async function connectionServed(port: number, request: string): Promise<boolean> {
  const socket = await openConnection(port);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.write(request);
  await Promise.race([once(socket, 'close'), new Promise((resolve) => socket.on('data', () => answer.includes('\r\n\r\n') && resolve(undefined)))]);
  socket.destroy();
  return answer.startsWith('HTTP/1.1 ');
}

/**
 * `count` keep-alive connections that each had `request` answered, so the server has surely counted them; the
 * caller destroys them. If one cannot be opened, those opened before are destroyed.
 */
export async function holdServedConnections(port: number, count: number, request: string): Promise<Socket[]> {
  const held: Socket[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const socket = await openConnection(port);
      const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write(request);
      await answered;
      held.push(socket);
    }
  } catch (error) {
    for (const socket of held) socket.destroy();
    throw error;
  }
  return held;
}

/** Whether a fresh connection is served within `attempts` tries `pauseMs` apart (a freed slot takes a moment). */
export async function servedWithin(port: number, request: string, attempts = 50, pauseMs = 20): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await connectionServed(port, request)) return true;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return false;
}
