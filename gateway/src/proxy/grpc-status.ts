// gRPC over HTTP/2 as the gateway needs it, pure: which requests are gRPC, the grpc-status a gateway refusal's
// HTTP status becomes, the grpc-timeout header parsed to milliseconds, and grpc-message percent-encoding.

/** gRPC status codes the gateway itself answers with (grpc/doc/statuscodes.md). */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const BY_HTTP_STATUS: ReadonlyMap<number, number> = new Map([
  [400, GRPC_STATUS.INVALID_ARGUMENT],
  [401, GRPC_STATUS.UNAUTHENTICATED],
  [403, GRPC_STATUS.PERMISSION_DENIED],
  [404, GRPC_STATUS.UNIMPLEMENTED],
  [408, GRPC_STATUS.DEADLINE_EXCEEDED],
  [413, GRPC_STATUS.RESOURCE_EXHAUSTED],
  [421, GRPC_STATUS.UNAVAILABLE],
  [429, GRPC_STATUS.RESOURCE_EXHAUSTED],
  [500, GRPC_STATUS.INTERNAL],
  [502, GRPC_STATUS.UNAVAILABLE],
  [503, GRPC_STATUS.UNAVAILABLE],
  [504, GRPC_STATUS.DEADLINE_EXCEEDED],
]);

/** The grpc-status answering a refusal the gateway decided with `httpStatus`; UNKNOWN for any other status. */
export function grpcStatusFor(httpStatus: number): number {
  return BY_HTTP_STATUS.get(httpStatus) ?? GRPC_STATUS.UNKNOWN;
}

/** `application/grpc`, `application/grpc+proto`, `application/grpc-web`… are answered as gRPC. */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith('application/grpc');
}

const TIMEOUT_PATTERN = /^([0-9]{1,8})([HMSmun])$/;
const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * A grpc-timeout header (`TimeoutValue TimeoutUnit`: 1-8 digits and one of H M S m u n) in whole
 * milliseconds, at least 1; 'malformed' for anything else. The caller caps it (8 digits of hours is 11,000 years).
 */
export function parseGrpcTimeout(value: string): number | 'malformed' {
  const match = TIMEOUT_PATTERN.exec(value);
  if (match === null) return 'malformed';
  return Math.max(1, Math.ceil(Number(match[1]) * (UNIT_MS[match[2] as string] as number)));
}

/** grpc-message is percent-encoded: everything outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
