// `cors` (DESIGN §10, Gateway API's CORS filter). A preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered here, 204, without reaching the upstream (or the auth policies after
// this one: a browser sends no credentials on a preflight). Other requests get the CORS response headers as edits
// the proxy applies when the response starts, and on the gateway's own error answers. `Vary: Origin` always.
// `*` with allowCredentials echoes the request's Origin, never a literal `*` (a config-time warning says so).
import type { RouteConfig } from '../../config/index.js';
import { routeNotFound } from '../../errors.js';
import { DirectAnswer, type PolicyDefinition } from '../../pipeline/policy.js';
import type { HeaderEdits } from '../../proxy/header-edits.js';
import { compileOriginMatcher } from './origin-match.js';

/** A comma-separated list of tokens as Access-Control-Request-Headers carries it (bounded), safe to echo. */
const TOKEN_LIST_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
const METHOD_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

const VARY_ONLY: HeaderEdits = { set: [], add: [['vary', 'Origin']], remove: [], onErrors: true };

function headerOf(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export const definition: PolicyDefinition = {
  name: 'cors',
  priority: 200,
  compile(route: RouteConfig, env) {
    const cors = route.cors;
    if (cors === undefined) return undefined;
    const matcher = compileOriginMatcher(cors.allowOrigins);
    const credentials = cors.allowCredentials === true;
    if (matcher.any && credentials) {
      env.shared('cors.wildcardCredentialsWarned', () => {
        env.warn("cors: allowOrigins '*' with allowCredentials echoes every request's Origin, so any site can make credentialed requests", {});
        return true;
      });
    }
    const methods = cors.allowMethods ?? [];
    const anyMethod = methods.includes('*');
    const methodList = methods.join(', ');
    const headers = cors.allowHeaders ?? [];
    const anyHeader = headers.includes('*');
    const headerList = headers.join(', ');
    const expose = (cors.exposeHeaders ?? []).join(', ');
    const maxAge = String(cors.maxAgeSeconds);
    // OPTIONS reaches this route for preflights even when its methods leave OPTIONS out (compile adds it to the
    // match); any other OPTIONS request then gets the 404 it would have had.
    const optionsListed = route.methods.length === 0 || route.methods.includes('OPTIONS');
    const allowOrigin = (origin: string) => (matcher.any && !credentials ? '*' : origin);

    return (ctx) => {
      const requestHeaders = ctx.req.headers;
      const origin = headerOf(requestHeaders.origin);
      if (ctx.req.method === 'OPTIONS') {
        const requestedMethod = headerOf(requestHeaders['access-control-request-method']);
        if (origin !== undefined && requestedMethod !== undefined) {
          if (!matcher.admits(origin)) return new DirectAnswer(204, { vary: 'Origin' });
          const answer: Record<string, string> = { 'access-control-allow-origin': allowOrigin(origin), vary: 'Origin', 'access-control-max-age': maxAge };
          if (credentials) answer['access-control-allow-credentials'] = 'true';
          if (anyMethod) answer['access-control-allow-methods'] = credentials ? (METHOD_PATTERN.test(requestedMethod) ? requestedMethod : '') : '*';
          else if (methodList !== '') answer['access-control-allow-methods'] = methodList;
          if (answer['access-control-allow-methods'] === '') delete answer['access-control-allow-methods'];
          const requested = headerOf(requestHeaders['access-control-request-headers']);
          if (anyHeader) {
            if (!credentials) answer['access-control-allow-headers'] = '*';
            else if (requested !== undefined && requested.length <= 4096 && TOKEN_LIST_PATTERN.test(requested)) answer['access-control-allow-headers'] = requested;
          } else if (headerList !== '') answer['access-control-allow-headers'] = headerList;
          return new DirectAnswer(204, answer);
        }
        if (!optionsListed) return routeNotFound();
      }
      if (origin === undefined || !matcher.admits(origin)) {
        (ctx.responseHeaderEdits ??= []).push(VARY_ONLY);
        return undefined;
      }
      const set: [string, string][] = [['access-control-allow-origin', allowOrigin(origin)]];
      if (credentials) set.push(['access-control-allow-credentials', 'true']);
      if (expose !== '') set.push(['access-control-expose-headers', expose]);
      (ctx.responseHeaderEdits ??= []).push({ set, add: VARY_ONLY.add, remove: [], onErrors: true });
      return undefined;
    };
  },
};
