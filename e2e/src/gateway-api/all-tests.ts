// The 26 Core HTTPRoute conformance tests whose manifests ../shared/gateway-api/tests/ holds, in upstream's order
// of file names.
import type { ConformanceTest } from './conformance-test.js';
import { crossNamespace } from './conformance/cross-namespace.js';
import { disallowedKind } from './conformance/disallowed-kind.js';
import { exactPathMatching } from './conformance/exact-path-matching.js';
import { headerMatching } from './conformance/header-matching.js';
import { hostnameIntersection } from './conformance/hostname-intersection.js';
import { httpsListener } from './conformance/https-listener.js';
import { invalidBackendRefUnknownKind } from './conformance/invalid-backendref-unknown-kind.js';
import { invalidCrossNamespaceBackendRef } from './conformance/invalid-cross-namespace-backend-ref.js';
import { invalidCrossNamespaceParentRef } from './conformance/invalid-cross-namespace-parent-ref.js';
import { invalidNonexistentBackendRef } from './conformance/invalid-nonexistent-backendref.js';
import { invalidParentRefNotMatchingSectionName } from './conformance/invalid-parentref-not-matching-section-name.js';
import { invalidReferenceGrant } from './conformance/invalid-reference-grant.js';
import { listenerHostnameMatching } from './conformance/listener-hostname-matching.js';
import { matchingAcrossRoutes } from './conformance/matching-across-routes.js';
import { matching } from './conformance/matching.js';
import { multipleGateways } from './conformance/multiple-gateways.js';
import { observedGenerationBump } from './conformance/observed-generation-bump.js';
import { omittedBackendRefs } from './conformance/omitted-backendrefs.js';
import { partiallyInvalidViaInvalidReferenceGrant } from './conformance/partially-invalid-via-invalid-reference-grant.js';
import { pathMatchOrder } from './conformance/path-match-order.js';
import { redirectHostAndStatus } from './conformance/redirect-host-and-status.js';
import { referenceGrant } from './conformance/reference-grant.js';
import { requestHeaderModifier } from './conformance/request-header-modifier.js';
import { serviceTypes } from './conformance/service-types.js';
import { simpleSameNamespace } from './conformance/simple-same-namespace.js';
import { weight } from './conformance/weight.js';

export const CORE_HTTPROUTE_TESTS: readonly ConformanceTest[] = [
  crossNamespace,
  disallowedKind,
  exactPathMatching,
  headerMatching,
  hostnameIntersection,
  httpsListener,
  invalidBackendRefUnknownKind,
  invalidCrossNamespaceBackendRef,
  invalidCrossNamespaceParentRef,
  invalidNonexistentBackendRef,
  invalidParentRefNotMatchingSectionName,
  invalidReferenceGrant,
  listenerHostnameMatching,
  matchingAcrossRoutes,
  matching,
  multipleGateways,
  observedGenerationBump,
  omittedBackendRefs,
  partiallyInvalidViaInvalidReferenceGrant,
  pathMatchOrder,
  redirectHostAndStatus,
  referenceGrant,
  requestHeaderModifier,
  serviceTypes,
  simpleSameNamespace,
  weight,
];
