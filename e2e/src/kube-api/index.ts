// Starts the Kubernetes API test server: HTTPS on 127.0.0.1 with a generated CA, and a kubeconfig written for it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApi } from './api.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-types.js';
import { waitForObject, waitForWatch } from './waiting.js';
import { createHandler } from './http/handler.js';
import { renderKubeconfig } from './kubeconfig.js';
import { generateServingCertificates } from './tls.js';

export { KubeApi } from './api.js';
export type { DeleteOptions, ListOptions, ListResult, PatchType, WriteOptions } from './api.js';
export { ApiError } from './errors.js';
export type { Status } from './errors.js';
export type { KubeObject, ObjectMeta, OwnerReference } from './object.js';
export type { ResourceType } from './resource-types.js';
export { findKubectl, kubectlFor, kubectlOk } from './kubectl.js';
export type { Kubectl, KubectlResult } from './kubectl.js';

export interface KubeApiServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where kubeconfig is written; by default a fresh temporary folder, removed by stop(). */
  kubeconfigDir?: string;
  /** How often watches that asked for bookmarks get one; 1 s by default (the real server: about a minute). */
  bookmarkIntervalMs?: number;
  /** The bearer token clients must send; random by default. */
  token?: string;
  clock?: () => Date;
  /** New objects' uids (random UUIDs by default). */
  uid?: () => string;
  /** generateName suffixes (five random characters by default). */
  nameSuffix?: () => string;
}

export interface KubeApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  caPem: string;
  token: string;
  /** Path of the kubeconfig file: `KUBECONFIG=<it> kubectl …`, or `kubeConfig.loadFromFile(it)` with client-node. */
  kubeconfigPath: string;
  /** The same kubeconfig as text: `kubeConfig.loadFromString(it)`. */
  kubeconfig: string;
  /** The API itself, to read or seed objects without HTTP. */
  api: KubeApi;
  /** Forgets watch history and closes every watch: resuming from an old resourceVersion then gets 410 Gone, so clients must relist. */
  compact(): void;
  /** Closes every open watch but keeps history: clients can resume from their last resourceVersion. */
  dropWatches(): void;
  /** How many watches are open now, on every resource or on one (`'novagate.dev/tenants'`, `'/secrets'`: group/plural). */
  openWatches(resource?: string): number;
  /**
   * Resolves with the object once `predicate` holds for it (`undefined` = absent), watching for changes rather than
   * polling; rejects after `timeoutMs` (default 30 s). E.g. `waitFor(tenants, 'team-a', 'acme', (t) => isReady(t))`.
   */
  waitFor(type: ResourceType, namespace: string, name: string, predicate: (object: KubeObject | undefined) => boolean, timeoutMs?: number): Promise<KubeObject | undefined>;
  /** Resolves once a client watches `resource` (`'novagate.dev/tenants'`, `'/secrets'`); rejects after `timeoutMs` (default 30 s). */
  waitForWatch(resource: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const clock = options.clock ?? (() => new Date());
  const certificates = generateServingCertificates(clock());
  const token = options.token ?? randomBytes(24).toString('hex');
  const api = new KubeApi({ clock, ...(options.uid ? { uid: options.uid } : {}), ...(options.nameSuffix ? { nameSuffix: options.nameSuffix } : {}) });
  let address = '127.0.0.1:0';
  const handler = createHandler({ api, token, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000, serverAddress: () => address, clock });
  const server = createServer({ key: certificates.keyPem, cert: certificates.certPem }, handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : 0;
  address = `127.0.0.1:${port}`;
  const url = `https://${address}`;
  const kubeconfig = renderKubeconfig({ server: url, caPem: certificates.caPem, token });
  const ownDir = options.kubeconfigDir === undefined;
  const dir = options.kubeconfigDir ?? (await mkdtemp(join(tmpdir(), 'novagate-kube-api-')));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  return {
    url,
    port,
    caPem: certificates.caPem,
    token,
    kubeconfigPath,
    kubeconfig,
    api,
    compact: () => api.store.compact(),
    dropWatches: () => api.store.closeWatches(),
    openWatches: (resource?: string) => (resource === undefined ? api.store.openWatches : api.store.openWatchesOf(resource)),
    waitFor: (type, namespace, name, predicate, timeoutMs = 30_000) => waitForObject(api, type, namespace, name, predicate, timeoutMs),
    waitForWatch: (resource, timeoutMs = 30_000) => waitForWatch(() => api.store.openWatchesOf(resource), (listener) => api.store.onWatchOpened(listener), resource, timeoutMs),
    stop: async () => {
      api.store.closeWatches();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      // A temporary kubeconfig folder is the server's own; one the caller chose is left alone.
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
