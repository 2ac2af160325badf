// Structured JSON logs (winston) carrying the request id of the request being served, if any.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';
import winston from 'winston';

export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const addRequestId = winston.format((info) => {
  const context = requestContext.getStore();
  if (context !== undefined) info.requestId = context.requestId;
  return info;
});

/** A JSON logger writing to stdout, or to `stream` (tests capture every line to check for secrets). */
export function createLogger(level: string, stream?: Writable): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(addRequestId(), winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'control-plane' },
    transports: [stream === undefined ? new winston.transports.Console() : new winston.transports.Stream({ stream })],
  });
}
