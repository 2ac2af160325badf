// A request body that a retry can send again: read from the client only as fast as the current attempt sends
// it, and kept in memory up to RETRY_BUFFER_BYTES, within a per-process ReplayMemory. Each attempt gets a stream
// of its own (the bytes kept, then the rest from the client); once more than the buffer was read (or the
// process's replay memory is full), the body can no longer be replayed and the kept bytes are dropped. Attempt
// streams are not piped from the source, so undici destroying one on a failed attempt leaves the client's
// request alone.
import { Readable } from 'node:stream';

/** Request bodies up to this size can be replayed on a retry (README: Retries and timeouts). */
export const RETRY_BUFFER_BYTES = 64 * 1024;
/** What all replay buffers of a process may hold together (README: Retries and timeouts). */
export const MAX_REPLAY_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * The bytes every replay buffer of a process holds together, bounded: 10,000 slow uploads to a retrying route
 * must not pin 64 KiB each. A body that finds it full is simply not replayable.
 */
export class ReplayMemory {
  private used = 0;

  constructor(private readonly capacity = MAX_REPLAY_MEMORY_BYTES) {}

  /** Takes `bytes` if they fit. */
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  get usedBytes(): number {
    return this.used;
  }
}

export class ReplayableBody {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** No more bytes are kept: past the buffer, the memory was full, or no retry can come anymore. */
  private dropped = false;
  private ended = false;
  private failure: Error | undefined;
  private current: Readable | undefined;
  /** An attempt was handed out: the next one needs every byte read so far still kept. */
  private attempted = false;

  constructor(
    private readonly source: Readable,
    private readonly memory: ReplayMemory,
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
    return !this.dropped && this.failure === undefined;
  }

  /**
   * The body for the next attempt; the previous attempt's stream gets nothing more. Undefined (never a throw)
   * when bytes already went out that are no longer kept: that attempt cannot be made.
   */
  attempt(): Readable | undefined {
    if (this.attempted && !this.replayable) return undefined;
    this.attempted = true;
    const stream = new Readable({ read: () => this.source.resume() });
    this.current = stream;
    for (const chunk of this.kept) stream.push(chunk);
    if (this.failure !== undefined) stream.destroy(this.failure);
    else if (this.ended) stream.push(null);
    return stream;
  }

  /**
   * A retry was decided: the current attempt gets nothing more and the client's body waits for the next
   * attempt, so what the retry must send again cannot grow past the buffer meanwhile. The old attempt's stream
   * is destroyed unless it already has the whole body (its upstream request then fails, which is what a
   * request whose body stopped halfway must do; it is not relayed anyway).
   */
  detach(): void {
    const previous = this.current;
    this.current = undefined;
    this.source.pause();
    if (previous !== undefined && !this.ended && this.failure === undefined) previous.destroy();
  }

  /** No retry will come: the kept bytes go back to the process's replay memory. The current attempt goes on. */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.memory.release(this.keptBytes);
    this.kept = [];
    this.keptBytes = 0;
  }

  private received(chunk: Buffer): void {
    if (!this.dropped) {
      if (this.keptBytes + chunk.length > this.limit || !this.memory.reserve(chunk.length)) {
        this.drop();
      } else {
        this.keptBytes += chunk.length;
        this.kept.push(chunk);
      }
    }
    if (this.current?.push(chunk) === false) this.source.pause();
  }
}
