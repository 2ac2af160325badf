// `redirect` (Gateway API RequestRedirect): answers 3xx with a Location built from config and the listener, not
// from headers a client chooses (no X-Forwarded-*): the scheme defaults to the connection's, the port follows
// Gateway API (a configured scheme implies its well-known port; otherwise the listener's `port`), the hostname
// defaults to the request's Host only when that is a plain hostname. The default port of the scheme is left out.
// A Location that would send the client back to the very URL it asked for is refused (508) instead of looping,
// except a 303 to a request other than GET or HEAD: the client follows it with a GET, another request (the
// Post/Redirect/Get pattern, which a route matching only POST makes safe).
import { GatewayError } from '../../errors.js';
import { DirectAnswer, type PolicyDefinition } from '../../pipeline/policy.js';
import { modifiedPath } from '../path-modifier.js';
import { HOSTNAME_PATTERN } from '../schema-patterns.js';

const IPV4_PATTERN = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const WELL_KNOWN_PORT: Record<string, number> = { http: 80, https: 443 };

export const redirectLoop = () => new GatewayError(508, 'redirect_loop', 'the redirect would send the client back to the same URL');
const badHost = () => new GatewayError(400, 'bad_host', 'the request has no Host a redirect can use');

export const definition: PolicyDefinition = {
  name: 'redirect',
  priority: 600,
  compile(route) {
    const redirect = route.redirect;
    if (redirect === undefined) return undefined;
    const status = redirect.statusCode ?? 302;
    return (ctx) => {
      const requestScheme = ctx.secure ? 'https' : 'http';
      const scheme = redirect.scheme ?? requestScheme;
      const host = redirect.hostname ?? ctx.host;
      if (redirect.hostname === undefined && !HOSTNAME_PATTERN.test(host) && !IPV4_PATTERN.test(host)) return badHost();
      const port = redirect.port ?? (redirect.scheme !== undefined ? WELL_KNOWN_PORT[redirect.scheme] : ctx.listenerPort);
      const authority = port === undefined || port === 0 || port === WELL_KNOWN_PORT[scheme] ? host : `${host}:${port}`;
      const path = redirect.path === undefined ? ctx.path : modifiedPath(redirect.path, ctx.path, ctx.prefixRest);
      const location = `${scheme}://${authority}${path}${ctx.query}`;
      const requestPort = ctx.listenerPort === 0 ? WELL_KNOWN_PORT[requestScheme] : ctx.listenerPort;
      const here = `${requestScheme}://${requestPort === WELL_KNOWN_PORT[requestScheme] ? ctx.host : `${ctx.host}:${requestPort}`}${ctx.path}${ctx.query}`;
      const followedWithGet = status === 303 && ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD';
      if (location === here && !followedWithGet) return redirectLoop();
      return new DirectAnswer(status, { location });
    };
  },
};
