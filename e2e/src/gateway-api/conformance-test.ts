// What one conformance test is: upstream's ShortName and description, the manifest of ../shared/gateway-api/tests/
// the harness applies unchanged before it runs, and its checks (after upstream's conformance/tests/<name>.go,
// v1.6.1). A test whose checks are not written yet has no `run` and is reported skipped, never passed.
import type { CheckContext, NamespacedName } from './expectations.js';

export interface ConformanceTest {
  shortName: string;
  description: string;
  /** File name under the shared tests/ folder. */
  manifest: string;
  /** Upstream's Features of the test: an implementation runs it only when it claims them all. */
  features: readonly string[];
  run?: (context: CheckContext) => Promise<void>;
}

export const INFRA_NS = 'gateway-conformance-infra';
export const APP_BACKEND_NS = 'gateway-conformance-app-backend';
export const WEB_BACKEND_NS = 'gateway-conformance-web-backend';

export const infra = (name: string): NamespacedName => ({ namespace: INFRA_NS, name });
export const SAME_NAMESPACE_GATEWAY = infra('same-namespace');
