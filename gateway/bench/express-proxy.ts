// Benchmark comparison: the stack of the original design card, express 5 with http-proxy-middleware 3.
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:http';

const app = express();
// A keep-alive agent towards the upstream, as a production setup would have (without one, http-proxy
// closes every upstream connection, which would make this comparison unfairly easy).
app.use(createProxyMiddleware({ target: process.env.UPSTREAM as string, changeOrigin: true, agent: new Agent({ keepAlive: true }) }));
const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
server.keepAliveTimeout = 65_000;
