// The `jwt` auth policy behind the registry. A route with `auth: jwt` and `jwt.providers` verifies asymmetric tokens
// from its identity providers (keys inline or from a JWKS, provider-policy.ts); without providers it verifies
// HS256 tokens with JWT_SECRET, as before. A provider's consumers (`jwtProvider`) never answer an HS256 token, and
// the reverse (DESIGN §10: jwtProvider scopes jwtSubject).
import type { ConsumerConfig } from '../../config/index.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { compileProviders, type CompileSources } from './compile-providers.js';
import { createJwtPolicy } from './jwt-policy.js';
import { createProviderJwtPolicy } from './provider-policy.js';

interface JwtConsumers {
  /** HS256: consumers without a provider, by subject. */
  bySubject: ReadonlyMap<string, ConsumerConfig>;
  /** Providers: `${jwtProvider}\0${jwtSubject}`. */
  byProviderSubject: ReadonlyMap<string, ConsumerConfig>;
}

export const definition: PolicyDefinition = {
  name: 'jwt',
  priority: 300,
  compile(route, env) {
    if (route.auth !== 'jwt') return undefined;
    const { deps } = env;
    const consumers = env.shared<JwtConsumers>('jwt.consumers', () => {
      const bySubject = new Map<string, ConsumerConfig>();
      const byProviderSubject = new Map<string, ConsumerConfig>();
      for (const consumer of env.config.consumers) {
        if (consumer.jwtSubject === undefined) continue;
        if (consumer.jwtProvider === undefined) bySubject.set(consumer.jwtSubject, consumer);
        else byProviderSubject.set(`${consumer.jwtProvider}\u0000${consumer.jwtSubject}`, consumer);
      }
      return { bySubject, byProviderSubject };
    });
    if (route.jwt !== undefined) {
      // Seeded by compileConfig, which drops the JWKS sources no route uses once every route compiled.
      const sources = env.shared<CompileSources>('jwt.sources', () => {
        throw new Error('jwt.sources is seeded by compileConfig');
      });
      return createProviderJwtPolicy({
        providers: compileProviders(route.jwt.providers, sources),
        consumersByProviderSubject: consumers.byProviderSubject,
        now: deps.now,
      });
    }
    return createJwtPolicy({
      secret: deps.jwtSecret as Buffer,
      rules: deps.jwtRules,
      consumersBySubject: consumers.bySubject,
      now: () => Math.floor(deps.now() / 1000),
    });
  },
};
