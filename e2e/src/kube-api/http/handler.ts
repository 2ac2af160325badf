// The HTTP layer: turns Kubernetes REST paths into API calls and errors into Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, methodNotAllowed, successStatus, type Status } from '../errors.js';
import type { DeleteOptions, KubeApi, ListOptions, PatchType, WriteOptions } from '../api.js';
import type { JsonObject, KubeObject } from '../object.js';
import { apiVersionOf, storageKey, type ResourceType } from '../resource-types.js';
import { aggregatedDiscovery, aggregatedDiscoveryType, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { toTable, type IncludeObject } from './table.js';
import { decodeKubernetesProtobuf } from './protobuf.js';
import { openApiV2, openApiV3Document, openApiV3Root } from './openapi.js';

export interface HandlerOptions {
  api: KubeApi;
  /** Bearer token every request must carry; empty to accept any request. */
  token: string;
  /** How often a watch that asked for bookmarks gets one. */
  bookmarkIntervalMs: number;
  serverAddress: () => string;
  clock: () => Date;
}

const maxBodyBytes = 8 * 1024 * 1024;

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const status: Status =
    error instanceof ApiError
      ? error.toStatus()
      : new ApiError(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : 'unknown'}`).toStatus();
  // One line with the message only: no stack trace in logs, as in every NovaGate program.
  if (!(error instanceof ApiError)) console.error(`kube-api: internal error: ${error instanceof Error ? error.message : 'unknown'}`);
  send(res, status.code, status);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRawBody(req)).toString('utf8');
}

/** A create or update body as JSON, decoding the protobuf kubectl's typed clients send. */
async function readObject(req: IncomingMessage): Promise<unknown> {
  const raw = await readRawBody(req);
  if ((req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) return decodeKubernetesProtobuf(raw);
  return parseJson(raw.toString('utf8'));
}

/** DELETE bodies are optional DeleteOptions, in JSON or (from typed clients such as Helm's) protobuf. */
async function readDeleteOptions(req: IncomingMessage): Promise<unknown> {
  const raw = await readRawBody(req);
  if (raw.length === 0) return undefined;
  if ((req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) return decodeKubernetesProtobuf(raw);
  const text = raw.toString('utf8');
  return text.trim() === '' ? undefined : parseJson(text);
}

async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new ApiError(413, 'BadRequest', 'the request body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body of the request could not be decoded as JSON');
  }
}

function patchTypeOf(contentType: string | undefined): PatchType {
  const media = (contentType ?? '').split(';')[0]?.trim();
  switch (media) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/json-patch+json':
      return 'json';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${media ?? 'none'})`);
  }
}

interface Route {
  type: ResourceType;
  namespace: string;
  name: string;
  subresource: string;
}

/** Resolves `/api/v1/...` and `/apis/<group>/<version>/...` resource paths; undefined for anything else. */
function resolve(api: KubeApi, segments: string[]): { route?: Route; watchPath: boolean; groupVersion?: [string, string] } {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else return { watchPath: false };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { watchPath, groupVersion: [group, version] };
  let namespace = '';
  const isNamespaceItself = group === '' && rest[0] === 'namespaces' && (rest.length <= 2 || rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && !isNamespaceItself) {
    namespace = rest[1] ?? '';
    rest = rest.slice(2);
  }
  const [plural = '', name = '', subresource = '', ...extra] = rest;
  const type = api.types.find(group, version, plural);
  if (!type || extra.length > 0) throw notFoundPath();
  if (namespace !== '' && !type.namespaced) throw notFoundPath();
  return { watchPath, route: { type, namespace, name, subresource } };
}

function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

function listOptions(query: URLSearchParams): ListOptions {
  const limit = query.get('limit');
  return {
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    limit: limit ? Number(limit) : 0,
    continue: query.get('continue'),
    resourceVersion: query.get('resourceVersion'),
    resourceVersionMatch: query.get('resourceVersionMatch'),
  };
}

function managerOf(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] || 'unknown';
}

function writeOptions(req: IncomingMessage, query: URLSearchParams): WriteOptions {
  return { manager: managerOf(req, query), dryRun: query.get('dryRun') === 'All', force: query.get('force') === 'true', strict: query.get('fieldValidation') === 'Strict' };
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** A deleted built-in answers with a Success Status, a custom resource with the object, as the real server does. */
function deleteResponse(type: ResourceType, object: KubeObject): unknown {
  if (type.crdName !== undefined) return object;
  return successStatus({ name: object.metadata.name ?? '', group: type.group, kind: type.plural, uid: object.metadata.uid ?? '' });
}

export function createHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { api } = options;

  function serveWatch(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams): void {
    const table = wantsTable(req);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let ended = false;
    let stop: () => void = () => undefined;
    const timers: NodeJS.Timeout[] = [];
    const end = (): void => {
      if (ended) return;
      ended = true;
      for (const timer of timers) clearInterval(timer);
      stop();
      res.end();
    };
    const write = (type: string, object: unknown): void => {
      if (!ended) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    // The response closes when the client goes away; the request's own 'close' would also fire once its (empty) body is read.
    res.on('close', end);
    try {
      stop = api.watch(route.type, route.namespace, listOptions(query), {
        event: (type, object) => write(type, table ? toTable(route.type, [object], object.metadata.resourceVersion ?? '', includeObjectOf(query), options.clock()) : object),
        close: end,
      });
    } catch (error) {
      const status = error instanceof ApiError ? error.toStatus() : new ApiError(500, 'InternalError', 'watch failed').toStatus();
      write('ERROR', status);
      end();
      return;
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) timers.push(setTimeout(end, timeoutSeconds * 1000));
    if (query.get('allowWatchBookmarks') === 'true') {
      const interval = setInterval(() => write('BOOKMARK', { kind: route.type.kind, apiVersion: apiVersionOf(route.type), metadata: { resourceVersion: String(api.store.revision) } }), options.bookmarkIntervalMs);
      timers.push(interval);
    }
  }

  async function serveResource(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams, watchPath: boolean): Promise<void> {
    const { type, namespace, name, subresource } = route;
    const method = req.method ?? 'GET';
    if (subresource !== '' && !(subresource === 'status' && type.statusSubresource) && !(subresource === 'finalize' && type.plural === 'namespaces')) throw notFoundPath();
    if (name === '') {
      if (method === 'GET' && (watchPath || query.get('watch') === 'true' || query.get('watch') === '1')) return serveWatch(req, res, route, query);
      if (method === 'GET') {
        const result = api.list(type, namespace, listOptions(query));
        if (wantsTable(req)) return send(res, 200, toTable(type, result.items, result.resourceVersion, includeObjectOf(query), options.clock(), result.continue));
        const metadata: JsonObject = { resourceVersion: result.resourceVersion };
        if (result.continue) metadata.continue = result.continue;
        if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
        return send(res, 200, { apiVersion: apiVersionOf(type), kind: type.listKind, metadata, items: result.items });
      }
      if (method === 'POST') {
        if (type.namespaced && namespace === '') throw methodNotAllowed();
        return send(res, 201, api.create(type, namespace, await readObject(req), writeOptions(req, query)));
      }
      if (method === 'DELETE') {
        const opts = deleteOptions(query, await readDeleteOptions(req));
        const deleted: KubeObject[] = [];
        for (const item of api.list(type, namespace, listOptions(query)).items) {
          try {
            deleted.push(api.delete(type, item.metadata.namespace ?? '', item.metadata.name ?? '', opts, managerOf(req, query)));
          } catch (error) {
            // A controller may have removed it already (a dependent collected with its owner).
            if (!(error instanceof ApiError && error.code === 404)) throw error;
          }
        }
        return send(res, 200, { apiVersion: apiVersionOf(type), kind: type.listKind, metadata: { resourceVersion: String(api.store.revision) }, items: deleted });
      }
      throw methodNotAllowed();
    }
    if (type.namespaced && namespace === '') throw notFoundPath();
    if (method === 'GET') {
      const object = api.get(type, namespace, name);
      if (wantsTable(req)) return send(res, 200, toTable(type, [object], object.metadata.resourceVersion ?? '', includeObjectOf(query), options.clock()));
      return send(res, 200, object);
    }
    const sub = subresource === '' || subresource === 'finalize' ? undefined : subresource;
    if (method === 'PUT') return send(res, 200, api.update(type, namespace, name, await readObject(req), writeOptions(req, query), sub));
    if (method === 'PATCH') {
      const patchType = patchTypeOf(req.headers['content-type']);
      const body = await readBody(req);
      const existed = patchType === 'apply' ? api.store.get(storageKey(type), namespace, name) !== undefined : true;
      return send(res, existed ? 200 : 201, api.patch(type, namespace, name, patchType, body, writeOptions(req, query), sub));
    }
    if (method === 'DELETE') {
      const opts = deleteOptions(query, await readDeleteOptions(req));
      const before = api.get(type, namespace, name);
      const result = api.delete(type, namespace, name, opts, managerOf(req, query));
      const gone = api.store.get(storageKey(type), namespace, name) === undefined || opts.dryRun;
      if (gone && before.metadata.deletionTimestamp === undefined) return send(res, 200, deleteResponse(type, result));
      return send(res, gone ? 200 : 202, result);
    }
    throw methodNotAllowed();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.token !== '' && req.headers.authorization !== `Bearer ${options.token}`) {
      throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    const path = `/${segments.join('/')}`;
    // Only v2 is served; older clients asking for v2beta1 alone get the legacy documents, which they also accept.
    const aggregated = /g=apidiscovery\.k8s\.io;\s*v=v2;\s*as=APIGroupDiscoveryList/.test(req.headers.accept ?? '');
    if (req.method === 'GET') {
      if (path === '/version') return send(res, 200, serverVersion);
      if (path === '/healthz' || path === '/readyz' || path === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (path === '/api') return aggregated ? send(res, 200, aggregatedDiscovery(api.types, true), aggregatedDiscoveryType) : send(res, 200, apiVersions(options.serverAddress()));
      if (path === '/apis') return aggregated ? send(res, 200, aggregatedDiscovery(api.types, false), aggregatedDiscoveryType) : send(res, 200, apiGroupList(api.types));
      if (path === '/openapi/v2') {
        // Only JSON is served; older kubectl asks for the protobuf form only and must be told it is not there.
        if (!/application\/json|\*\/\*/.test(req.headers.accept ?? 'application/json')) throw new ApiError(406, 'NotAcceptable', 'only application/json is served for /openapi/v2');
        return send(res, 200, openApiV2(api.types));
      }
      if (path === '/openapi/v3') return send(res, 200, openApiV3Root(api.types));
      if (segments[0] === 'openapi' && segments[1] === 'v3') {
        const gv = segments.slice(2);
        const document = gv[0] === 'api' ? openApiV3Document(api.types, '', gv[1] ?? '') : openApiV3Document(api.types, gv[1] ?? '', gv[2] ?? '');
        if (!document) throw notFoundPath();
        return send(res, 200, document);
      }
      if (segments[0] === 'apis' && segments.length === 2) {
        const document = apiGroupDocument(api.types, segments[1] ?? '');
        if (!document) throw notFoundPath();
        return send(res, 200, document);
      }
    }
    const { route, groupVersion, watchPath } = resolve(api, segments);
    if (groupVersion && req.method === 'GET') {
      const document = apiResourceList(api.types, groupVersion[0], groupVersion[1]);
      if (!document) throw notFoundPath();
      return send(res, 200, document);
    }
    if (!route) throw notFoundPath();
    return serveResource(req, res, route, url.searchParams, watchPath);
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      sendError(res, error);
    });
  };
}

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const fromBody = (typeof body === 'object' && body !== null ? body : {}) as { propagationPolicy?: string; preconditions?: DeleteOptions['preconditions']; dryRun?: string[]; orphanDependents?: boolean };
  const policy = query.get('propagationPolicy') ?? fromBody.propagationPolicy ?? (fromBody.orphanDependents ? 'Orphan' : undefined);
  if (policy !== undefined && policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const options: DeleteOptions = {};
  if (policy) options.propagationPolicy = policy;
  if (fromBody.preconditions) options.preconditions = fromBody.preconditions;
  if (query.get('dryRun') === 'All' || (fromBody.dryRun ?? []).includes('All')) options.dryRun = true;
  return options;
}
