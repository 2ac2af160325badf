// One HTTP/2 connection per upstream origin for services with `http2: true`: h2c (prior knowledge) for http://,
// ALPN h2 for https://. Streams share the session up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS (nghttp2
// queues the rest); after GOAWAY, an error or a close, the next request opens a new session.
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';

/** An idle session is closed after this long; the next request reconnects. */
const IDLE_SESSION_MS = 60_000;

/** A session that did not connect within the service's connect timeout fails its streams with this code. */
export class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
}

export class H2Origin {
  private session: ClientHttp2Session | undefined;
  private closed = false;

  constructor(
    readonly origin: string,
    private readonly connectTimeoutMs: number,
    /** TLS settings for https:// origins (CA, client certificate, SNI); upstream/upstream-tls.ts. */
    private readonly tls: SecureClientSessionOptions = {},
  ) {}

  /** Opens a stream on the origin's session, connecting first if there is none usable. */
  request(headers: OutgoingHttpHeaders, endStream: boolean): ClientHttp2Stream {
    return this.usableSession().request(headers, { endStream });
  }

  private usableSession(): ClientHttp2Session {
    const current = this.session;
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    if (this.closed) throw Object.assign(new Error('upstream pool closed'), { code: 'UND_ERR_CLOSED' });
    const session = connect(this.origin, { ...this.tls, settings: { enablePush: false }, maxSessionMemory: 32 });
    this.session = session;
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // Streams already open finish on the old session; new ones go to a new one.
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    const connectTimer = setTimeout(() => session.destroy(new ConnectTimeoutError('connect timeout')), this.connectTimeoutMs);
    session.once('connect', () => clearTimeout(connectTimer));
    session.once('close', () => clearTimeout(connectTimer));
    session.setTimeout(IDLE_SESSION_MS, () => session.close());
    return session;
  }

  /** Closes the session gracefully: open streams finish, no new ones start. */
  close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session === undefined || session.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      session.close(() => resolve());
      // A stream that never ends must not hold the gateway's shutdown.
      setTimeout(() => session.destroy(), 5_000).unref();
    });
  }

  /** Cancels every stream and drops the connection now. */
  destroy(): void {
    this.closed = true;
    this.session?.destroy(undefined, constants.NGHTTP2_CANCEL);
    this.session = undefined;
  }
}
