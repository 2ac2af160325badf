// `responseHeaders`: the route's header edits on the upstream's response (schema in request-headers/schema.ts),
// applied by the proxy when the response starts.
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { compileHeaderEdits } from '../../proxy/header-edits.js';

export const definition: PolicyDefinition = {
  name: 'response-headers',
  priority: 705,
  compile(route) {
    if (route.responseHeaders === undefined) return undefined;
    const edits = compileHeaderEdits(route.responseHeaders);
    return (ctx) => {
      (ctx.responseHeaderEdits ??= []).push(edits);
      return undefined;
    };
  },
};
