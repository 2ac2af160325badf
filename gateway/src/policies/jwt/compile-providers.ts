// Builds a route's providers once per config version: inline keys read once, JWKS sources shared by URI and
// kept across config versions (a config push neither refetches nor forgets keys), the first fetch started at
// compile time so the first request rarely waits.
import { readJwk, type PublicKey } from './jwk.js';
import type { JwksFetchOptions } from './jwks-fetch.js';
import { JwksSources, staticKeySource, type JwksFailureClass, type JwksKeySource } from './key-source.js';
import type { CompiledProvider } from './provider-policy.js';
import type { JwtProviderConfig } from './schema.js';

export interface JwtProviderDeps {
  /** Kept by the gateway process across config versions; one per process when absent. */
  sources?: JwksSources;
  /** A JWKS fetch failed: logged by class, never the body. */
  onJwksFailure?: (uri: string, failure: JwksFailureClass) => void;
  /** Test hooks: a resolver and a CA for the local IdP. */
  fetch?: Pick<JwksFetchOptions, 'resolve' | 'ca' | 'timeoutMs'>;
}

export interface CompileSources {
  source(uri: string, allowHttp: boolean): JwksKeySource;
  /** Forgets sources no route of this config uses. */
  retainUsed(): void;
}

let processSources: JwksSources | undefined;

export function jwtSourcesOf(deps: JwtProviderDeps | undefined, now: () => number): CompileSources {
  const sources =
    deps?.sources ?? (processSources ??= new JwksSources({ now, onFailure: deps?.onJwksFailure, ...deps?.fetch }));
  const used = new Set<JwksKeySource>();
  return {
    source(uri, allowHttp) {
      const source = sources.source(uri, allowHttp);
      used.add(source);
      return source;
    },
    retainUsed: () => sources.retain(used),
  };
}

export function compileProviders(providers: readonly JwtProviderConfig[], sources: CompileSources): CompiledProvider[] {
  return providers.map((config) => {
    let keys;
    if (config.jwksUri !== undefined) {
      const source = sources.source(config.jwksUri, config.allowHttp === true);
      source.prefetch();
      keys = source;
    } else {
      const read = (config.publicKeys ?? []).map((jwk) => readJwk(jwk));
      keys = staticKeySource(read.flatMap((result) => (result.ok ? [result.key] : [])) as PublicKey[]);
    }
    return { config, algorithms: config.algorithms, keys };
  });
}
