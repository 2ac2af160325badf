// A real @grpc/grpc-js echo server (unary, server, client and bidirectional streaming, with hand-written
// string serializers instead of a .proto) and a generic client for it: the upstream and the client of the
// gateway's gRPC tests.
import * as grpc from '@grpc/grpc-js';

const serialize = (value: string): Buffer => Buffer.from(value, 'utf8');
const deserialize = (bytes: Buffer): string => bytes.toString('utf8');

function method(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<string, string> {
  return { path: `/test.Echo/${name}`, requestStream, responseStream, requestSerialize: serialize, requestDeserialize: deserialize, responseSerialize: serialize, responseDeserialize: deserialize };
}

export const ECHO_SERVICE = {
  Unary: method('Unary', false, false),
  Fail: method('Fail', false, false),
  Slow: method('Slow', false, false),
  ServerStream: method('ServerStream', false, true),
  ClientStream: method('ClientStream', true, false),
  Bidi: method('Bidi', true, true),
} satisfies grpc.ServiceDefinition;

export interface EchoServer {
  port: number;
  /** Calls of Slow the server saw cancelled. */
  cancelled: number;
  /** Calls of Slow in progress now, and the most at once. */
  slowActive: number;
  slowPeak: number;
  close(): Promise<void>;
}

/** `tls`: serve over TLS (ALPN h2) with this certificate and key instead of h2c. */
export async function startEchoServer(tls?: { cert: Buffer; key: Buffer }): Promise<EchoServer> {
  const server = new grpc.Server();
  const state: EchoServer = { port: 0, cancelled: 0, slowActive: 0, slowPeak: 0, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
  server.addService(ECHO_SERVICE, {
    Unary: (call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
      callback(null, `echo:${call.request}`);
    },
    Fail: (_call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
      const metadata = new grpc.Metadata();
      metadata.set('x-detail', 'user 42');
      callback({ code: grpc.status.NOT_FOUND, details: 'no such user', metadata });
    },
    Slow: (call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
      state.slowActive++;
      state.slowPeak = Math.max(state.slowPeak, state.slowActive);
      const timer = setTimeout(() => {
        state.slowActive--;
        callback(null, 'late');
      }, Number(call.request));
      call.on('cancelled', () => {
        clearTimeout(timer);
        state.slowActive--;
        state.cancelled++;
      });
    },
    ServerStream: (call: grpc.ServerWritableStream<string, string>) => {
      for (let i = 0; i < Number(call.request); i++) call.write(`item-${i}`);
      const trailers = new grpc.Metadata();
      trailers.set('x-count', call.request);
      call.end(trailers);
    },
    ClientStream: (call: grpc.ServerReadableStream<string, string>, callback: grpc.sendUnaryData<string>) => {
      const parts: string[] = [];
      call.on('data', (part: string) => parts.push(part));
      call.on('end', () => callback(null, parts.join('+')));
    },
    Bidi: (call: grpc.ServerDuplexStream<string, string>) => {
      call.on('data', (part: string) => call.write(`re:${part}`));
      call.on('end', () => call.end());
    },
  });
  state.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }]), (error, port) => (error === null ? resolve(port) : reject(error))),
  );
  return state;
}

export function echoClient(port: number): grpc.Client {
  return new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function unary(client: grpc.Client, name: keyof typeof ECHO_SERVICE, request: string, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<{ value?: string; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(ECHO_SERVICE[name].path, serialize, deserialize, request, metadata, options, (error, value) =>
      resolve(error === null ? { value } : { error }),
    );
  });
}

export { serialize, deserialize };
