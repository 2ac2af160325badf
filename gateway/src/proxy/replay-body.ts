// A request body that a retry can send again: read from the client only as fast as the current attempt sends
// it, and kept in memory up to RETRY_BUFFER_BYTES. Each attempt gets a stream of its own (the bytes kept, then
// the rest from the client); once more than the buffer was read, the body can no longer be replayed and the
// kept bytes are dropped. Attempt streams are not piped from the source, so undici destroying one on a failed
// attempt leaves the client's request alone.
import { Readable } from 'node:stream';

/** Request bodies up to this size can be replayed on a retry (README: Retries). */
export const RETRY_BUFFER_BYTES = 64 * 1024;

export class ReplayableBody {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private overflowed = false;
  private ended = false;
  private failure: Error | undefined;
  private current: Readable | undefined;

  constructor(
    private readonly source: Readable,
    private readonly limit = RETRY_BUFFER_BYTES,
  ) {
    source.on('data', (chunk: Buffer) => this.received(chunk));
    source.pause();
    source.once('end', () => {
      this.ended = true;
      this.current?.push(null);
    });
    source.once('error', (error) => {
      this.failure = error;
      this.current?.destroy(error);
    });
  }

  /** Whether every byte read so far is still kept, so another attempt can send the body again. */
  get replayable(): boolean {
    return !this.overflowed && this.failure === undefined;
  }

  /** The body for the next attempt; the previous attempt's stream gets nothing more. Only while replayable. */
  attempt(): Readable {
    if (!this.replayable && this.current !== undefined) throw new Error('the request body can no longer be replayed');
    const stream = new Readable({ read: () => this.source.resume() });
    this.current = stream;
    for (const chunk of this.kept) stream.push(chunk);
    if (this.failure !== undefined) stream.destroy(this.failure);
    else if (this.ended) stream.push(null);
    return stream;
  }

  private received(chunk: Buffer): void {
    if (!this.overflowed) {
      this.keptBytes += chunk.length;
      if (this.keptBytes > this.limit) {
        this.overflowed = true;
        this.kept = [];
      } else {
        this.kept.push(chunk);
      }
    }
    if (this.current?.push(chunk) === false) this.source.pause();
  }
}
