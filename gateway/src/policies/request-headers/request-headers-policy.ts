// `requestHeaders`: the route's header edits on what goes upstream (applied by proxy/headers.ts after the
// client's hop-by-hop and gateway-owned headers are gone, before the gateway's own are added).
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { compileHeaderEdits } from '../../proxy/header-edits.js';

export const definition: PolicyDefinition = {
  name: 'request-headers',
  priority: 700,
  compile(route) {
    if (route.requestHeaders === undefined) return undefined;
    const edits = compileHeaderEdits(route.requestHeaders);
    return (ctx) => {
      (ctx.requestHeaderEdits ??= []).push(edits);
      return undefined;
    };
  },
};
