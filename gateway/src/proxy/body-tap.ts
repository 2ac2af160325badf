// A look at a request body as the primary exchange reads it (request mirroring): each chunk is shown to the tap
// on its way through and passed on at once, so the primary never waits for whoever watches.
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export interface BodyTap {
  /** A chunk the primary read. */
  chunk(chunk: Buffer): void;
  /** The body ended: every chunk was shown. */
  end(): void;
  /** The body will not end normally (an error, a 413, the exchange stopped reading); later calls do nothing. */
  abort(): void;
}

/** `body` with every chunk shown to `tap`; undefined (no body) ends the tap at once. */
export function tapBody(body: Readable | undefined, tap: BodyTap | undefined): Readable | undefined {
  if (tap === undefined) return body;
  if (body === undefined) {
    tap.end();
    return undefined;
  }
  const tapped = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      tap.chunk(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      tap.end();
      callback();
    },
  });
  body.on('error', (error) => tapped.destroy(error));
  tapped.once('close', () => tap.abort());
  return body.pipe(tapped);
}
