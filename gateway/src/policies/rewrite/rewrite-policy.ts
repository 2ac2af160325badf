// `rewrite` (hostname, path) and `preserveHost`: what goes upstream in place of the request's path and Host.
// The path is replaced before the service's base path is joined; the query is kept. `rewrite.hostname` wins
// over preserveHost. stripPrefix keeps working as before (it is replacePrefixMatch '/').
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { modifiedPath } from '../path-modifier.js';

export const definition: PolicyDefinition = {
  name: 'rewrite',
  priority: 710,
  compile(route) {
    const rewrite = route.rewrite;
    const preserveHost = route.preserveHost === true;
    if (rewrite === undefined && !preserveHost) return undefined;
    const hostname = rewrite?.hostname;
    const pathModifier = rewrite?.path;
    return (ctx) => {
      if (hostname !== undefined) ctx.upstreamHost = hostname;
      else if (preserveHost) {
        const host = ctx.req.headers.host ?? (ctx.req.headers[':authority'] as string | undefined);
        if (host !== undefined) ctx.upstreamHost = host;
      }
      if (pathModifier !== undefined) ctx.upstreamPath = modifiedPath(pathModifier, ctx.path, ctx.prefixRest);
      return undefined;
    };
  },
};
