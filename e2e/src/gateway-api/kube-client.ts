// A minimal REST client for the conformance run: GET, POST, merge PATCH and DELETE of any object by its API path,
// authenticated with the admin kubeconfig. The tests read statuses exactly as the API server stores them.
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The collection path of a kind (`/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes`). */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

/** The plural resource name of the kinds this run touches. */
export const PLURALS: Readonly<Record<string, string>> = {
  Namespace: 'namespaces',
  Service: 'services',
  Pod: 'pods',
  Secret: 'secrets',
  EndpointSlice: 'endpointslices',
  Deployment: 'deployments',
  ConfigMap: 'configmaps',
  Gateway: 'gateways',
  GatewayClass: 'gatewayclasses',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
  TLSRoute: 'tlsroutes',
  ReferenceGrant: 'referencegrants',
  Tenant: 'tenants',
};

export class KubeClient {
  constructor(private readonly config: KubeConfig) {}

  async send<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const server = new URL(this.config.getCurrentCluster()?.server ?? '');
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = {
      hostname: server.hostname,
      port: server.port,
      path,
      method,
      headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }) },
    };
    await this.config.applyToHTTPSOptions(options);
    return new Promise<T>((resolve, reject) => {
      const req = request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve((text === '' ? {} : JSON.parse(text)) as T);
          else reject(new KubeRequestError(status, `${method} ${path}: ${status} ${text.slice(0, 500)}`));
        });
      });
      req.on('error', reject);
      req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.end(payload);
    });
  }

  /** The object, or null when it does not exist. */
  async get<T>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | null> {
    try {
      return await this.send<T>('GET', `${collectionPath(apiVersion, plural(kind), namespace)}/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error instanceof KubeRequestError && error.status === 404) return null;
      throw error;
    }
  }

  async list<T>(apiVersion: string, kind: string, namespace?: string): Promise<T[]> {
    return (await this.send<{ items: T[] }>('GET', collectionPath(apiVersion, plural(kind), namespace))).items;
  }

  async create<T>(object: { apiVersion: string; kind: string; metadata: { namespace?: string } }): Promise<T> {
    return this.send<T>('POST', collectionPath(object.apiVersion, plural(object.kind), object.metadata.namespace), object);
  }

  async mergePatch<T>(apiVersion: string, kind: string, name: string, namespace: string | undefined, patch: unknown, subresource = ''): Promise<T> {
    const path = `${collectionPath(apiVersion, plural(kind), namespace)}/${encodeURIComponent(name)}${subresource === '' ? '' : `/${subresource}`}`;
    return this.send<T>('PATCH', path, patch, 'application/merge-patch+json');
  }
}

function plural(kind: string): string {
  const name = PLURALS[kind];
  if (name === undefined) throw new Error(`the conformance client does not know the plural of kind ${kind}`);
  return name;
}
