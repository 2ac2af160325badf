// Test support: one call gives a test file its fresh database (and control-plane servers on it), made in a
// node:test `before` hook and torn down in an `after` hook.
import { after, before } from 'node:test';
import { createPool } from '../db/pool.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/** What a test server is started with, apart from its database. */
export type TestServerSettings = Omit<TestServerOptions, 'db'>;

type Replicas = number | readonly TestServerSettings[];

export interface WithTestServerOptions<R extends Replicas = Replicas> extends TestServerSettings {
  /** How many servers (replicas) share the database, or each one's settings over the common ones. Default 1. */
  replicas?: R;
  /** The servers' own pool of this size (`server.pool`, ended after them); by default they use the test database's pool. */
  poolSize?: number;
  /** Makes what the servers need that the file owns (a Redis, TLS files) before they start; its settings apply to every one. */
  prepare?: () => TestServerSettings | Promise<TestServerSettings>;
}

/** One TestServer per replica: a tuple as long as `replicas`, so a file can destructure its replicas by name. */
type ServersOf<R extends Replicas> = R extends readonly unknown[] ? { [K in keyof R]: TestServer } : R extends number ? TuplesOf<R> : never;
type TuplesOf<N extends number, T extends TestServer[] = []> = number extends N ? TestServer[] : T['length'] extends N ? T : TuplesOf<N, [...T, TestServer]>;

export interface TestDatabaseFixture {
  db: TestDatabase;
  /**
   * Settles when the `before` hook that makes it all has: a file's own `before` awaits it first, since on
   * Node 20 top-level `before` hooks start together instead of one after the other.
   */
  ready: Promise<void>;
}

export interface TestServerFixture<R extends Replicas = 1> extends TestDatabaseFixture {
  /** The first (or only) server. */
  server: TestServer;
  /** Every server, in the order of `replicas`. */
  servers: ServersOf<R>;
}

/** A fresh migrated (unless `migrate: false`) database for the test file, dropped after its tests. */
export function withTestDatabase(options: { migrate?: boolean } = {}): TestDatabaseFixture {
  let db: TestDatabase | undefined;
  const ready = inBeforeHook(async () => {
    db = await createTestDatabase(options);
  });
  after(async () => {
    await db?.drop();
  });
  return { db: databaseHandle(() => made(db, 'test database')), ready };
}

/**
 * A fresh migrated database and control-plane servers on it for the test file: started before its tests,
 * closed (then the database dropped) after them. `after` hooks run one after the other in the order they
 * were registered, so the file's own `after`, registered below this call, runs once the servers are closed.
 */
export function withTestServer<const R extends Replicas = 1>(options: WithTestServerOptions<R> = {}): TestServerFixture<R> {
  const { replicas = 1, poolSize, prepare, ...common } = options;
  const perReplica: readonly TestServerSettings[] = typeof replicas === 'number' ? Array.from({ length: replicas }, () => ({})) : replicas;
  let db: TestDatabase | undefined;
  let serverDb: TestDatabase | undefined;
  const started: TestServer[] = [];
  const ready = inBeforeHook(async () => {
    const prepared = (await prepare?.()) ?? {};
    db = await createTestDatabase();
    serverDb = poolSize === undefined ? db : { ...db, pool: createPool(db.url, poolSize) };
    for (const own of perReplica) started.push(await startTestServer({ db: serverDb, ...common, ...prepared, ...own }));
  });
  after(async () => {
    for (const server of started) await server.close();
    if (serverDb !== undefined && serverDb !== db) await serverDb.pool.end();
    await db?.drop();
  });
  const servers = perReplica.map((_, index) => serverHandle(() => made(started[index], 'test server')));
  return { db: databaseHandle(() => made(db, 'test database')), server: servers[0] as TestServer, servers: servers as ServersOf<R>, ready };
}

/** Registers `work` as a `before` hook and returns a promise of its outcome (handled, so an unawaited failure is only the hook's). */
function inBeforeHook(work: () => Promise<void>): Promise<void> {
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  before(async () => {
    try {
      await work();
      settle?.resolve();
    } catch (error) {
      settle?.reject(error);
      throw error;
    }
  });
  return done;
}

function made<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the ${what} is made in a before hook: await its fixture's ready in the file's before hook, or use it in a test`);
  return value;
}

/** A TestDatabase that reads through to the one the `before` hook makes. */
function databaseHandle(current: () => TestDatabase): TestDatabase {
  return {
    get url() {
      return current().url;
    },
    get rolePrefix() {
      return current().rolePrefix;
    },
    get pool() {
      return current().pool;
    },
    drop: () => current().drop(),
  };
}

/** A TestServer that reads through to the one the `before` hook starts. */
function serverHandle(current: () => TestServer): TestServer {
  return {
    get url() {
      return current().url;
    },
    get logLines() {
      return current().logLines;
    },
    get mail() {
      return current().mail;
    },
    get controlPlane() {
      return current().controlPlane;
    },
    get pool() {
      return current().pool;
    },
    close: () => current().close(),
    request: (method, path, requestOptions) => current().request(method, path, requestOptions),
  };
}
