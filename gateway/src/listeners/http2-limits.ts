// Bounds on HTTP/2 clients (issue 15): concurrent streams, header list size (the HTTP/1.1 header limit), and
// rapid reset (CVE-2023-44487): a session whose client resets more than `maxResetsPerSecond` streams in a
// second gets GOAWAY ENHANCE_YOUR_CALM and is closed. Node's own bounds (invalid frames, rejected streams,
// pings waiting for an answer, session memory) are set here too.
import { constants, type Http2Session, type SecureServerOptions, type ServerOptions } from 'node:http2';
import { maxHeaderSize } from 'node:http';

export interface Http2Limits {
  maxConcurrentStreams: number;
  maxHeaderListSize: number;
  maxResetsPerSecond: number;
}

export const DEFAULT_HTTP2_LIMITS: Http2Limits = {
  maxConcurrentStreams: 100,
  maxHeaderListSize: maxHeaderSize,
  maxResetsPerSecond: 200,
};

export function http2ServerOptions(limits: Http2Limits): ServerOptions & SecureServerOptions {
  return {
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderListSize, enablePush: false },
    maxHeaderListPairs: 256,
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
    maxOutstandingPings: 10,
    maxSessionMemory: 16,
  };
}

/** Counts streams the client resets per second on `session`; past the bound, GOAWAY and close. */
export function boundResets(session: Http2Session, limits: Http2Limits, onExceeded: () => void): void {
  let windowStart = Date.now();
  let resets = 0;
  session.on('stream', (stream) => {
    stream.on('aborted', () => {
      // 'aborted' is the client resetting a stream it had not finished (or the connection dying under it).
      const now = Date.now();
      if (now - windowStart >= 1_000) {
        windowStart = now;
        resets = 0;
      }
      if (++resets > limits.maxResetsPerSecond && !session.destroyed) {
        onExceeded();
        session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
        session.destroy();
      }
    });
  });
}
