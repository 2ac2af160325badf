// What one of NovaGate's own Extended checks is: the Gateway API feature it proves (upstream's feature name), the
// HTTPRoutes it needs (written here from the Gateway API spec, never upstream's manifests), and its checks in the
// style of the Core ones: statuses first, then requests and what the echo pods saw. These are not upstream's
// conformance tests and never count in the ConformanceReport; the GatewayClass claims none of these features.
import type { SeenRequest } from '../echo-server.js';
import type { CheckContext } from '../expectations.js';
import type { HttpRouteManifest } from './routes.js';

/** A check's context: the Core checks' one, and the echo pods' request log (for what no response shows). */
export interface ExtendedContext extends CheckContext {
  echoRequests(): readonly SeenRequest[];
}

export interface ExtendedCheck {
  /** The Gateway API feature name (SupportedFeature) this check proves. */
  feature: string;
  description: string;
  routes: readonly HttpRouteManifest[];
  run(context: ExtendedContext): Promise<void>;
}
