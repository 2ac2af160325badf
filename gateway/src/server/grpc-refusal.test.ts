// sendError on a gRPC request over HTTP/2: one HEADERS frame that ends the stream, and nothing thrown when the
// client reset the stream first (its deadline and the gateway's can expire together).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, constants, createServer, type Http2ServerRequest, type Http2ServerResponse, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { rateLimited, routeNotFound } from '../errors.js';
import { sendError } from './respond.js';

async function withServer(handler: (req: Http2ServerRequest, res: Http2ServerResponse) => void, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

test('a refusal of a gRPC request is trailers-only: grpc-status, message, request id and the error headers in one frame', async () => {
  await withServer(
    (_req, res) => sendError(res as unknown as ServerResponse, rateLimited({ 'retry-after': '3' }), 'req-1'),
    async (url) => {
      const session = connect(url);
      const stream = session.request({ ':method': 'POST', ':path': '/pkg.Svc/Call', 'content-type': 'application/grpc' });
      stream.end();
      const [headers, flags] = (await once(stream, 'response')) as [IncomingHttpHeaders, number];
      stream.resume();
      await once(stream, 'close');
      session.close();
      assert.ok((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0, 'the HEADERS frame ends the stream');
      assert.equal(headers[':status'], 200);
      assert.equal(headers['content-type'], 'application/grpc');
      assert.equal(headers['grpc-status'], '8');
      assert.equal(headers['grpc-message'], 'rate_limited: rate limit exceeded');
      assert.equal(headers['x-request-id'], 'req-1');
      assert.equal(headers['retry-after'], '3');
    },
  );
});

test('a refusal after the client reset the stream is dropped, not thrown', async () => {
  const errors: unknown[] = [];
  await withServer(
    (req, res) => {
      req.stream.close(constants.NGHTTP2_CANCEL);
      try {
        sendError(res as unknown as ServerResponse, routeNotFound(), 'req-2');
      } catch (error) {
        errors.push(error);
      }
    },
    async (url) => {
      const session = connect(url);
      const stream = session.request({ ':method': 'POST', ':path': '/x', 'content-type': 'application/grpc' });
      stream.on('error', () => undefined);
      stream.end();
      await once(stream, 'close');
      session.close();
    },
  );
  assert.deepEqual(errors, []);
});
