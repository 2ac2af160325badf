// The default resolver of target host names: every address the system resolver returns (IPv4 and IPv6).
import { lookup } from 'node:dns/promises';
import type { Resolver } from './service-pool.js';

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);
