// HTTPRouteHostnameIntersection: routes attach only to listeners whose hostnames intersect theirs, serve only the
// intersection, count in attachedRoutes only when accepted, and a route with no intersection is NoMatchingListenerHostname.
import {
  expectResponses,
  gatewayAndRoutesAccepted,
  gatewayMustHaveListeners,
  gatewayParent,
  namespacesMustBeReady,
  routeMustHaveParents,
  routeResolvedRefs,
  type ExpectedListener,
} from '../expectations.js';
import type { ExpectedResponse } from '../round-trip.js';
import { infra, INFRA_NS, type ConformanceTest } from '../conformance-test.js';

const to = (host: string, path: string, backend: string): ExpectedResponse => ({ request: { host, path }, backend, namespace: INFRA_NS });
const notFound = (host: string, path: string): ExpectedResponse => ({ request: { host, path }, response: { statusCode: 404 } });

const listener = (name: string, attachedRoutes: number): ExpectedListener => ({
  name,
  supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
  attachedRoutes,
  conditions: [
    { type: 'Accepted', status: 'True', reason: '' },
    { type: 'ResolvedRefs', status: 'True', reason: '' },
  ],
});

export const hostnameIntersection: ConformanceTest = {
  shortName: 'HTTPRouteHostnameIntersection',
  description: 'HTTPRoutes should attach to listeners only if they have intersecting hostnames, and should accept requests only for the intersecting hostnames',
  manifest: 'httproute-hostname-intersection.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    await namespacesMustBeReady(context, [INFRA_NS]);
    const gateway = infra('httproute-hostname-intersection');
    const routes = [
      infra('specific-host-matches-listener-specific-host'),
      infra('specific-host-matches-listener-wildcard-host'),
      infra('wildcard-host-matches-listener-specific-host'),
      infra('wildcard-host-matches-listener-wildcard-host'),
    ];
    const address = await gatewayAndRoutesAccepted(context, gateway, routes);
    for (const route of routes) await routeResolvedRefs(context, route, gateway);
    await expectResponses(context, address, [
      to('very.specific.com', '/s1', 'infra-backend-v1'),
      to('very.specific.com:1234', '/s1', 'infra-backend-v1'),
      notFound('non.matching.com', '/s1'),
      notFound('foo.nonmatchingwildcard.io', '/s1'),
      notFound('foo.wildcard.io', '/s1'),
      notFound('very.specific.com', '/non-matching-prefix'),
      to('foo.wildcard.io', '/s2', 'infra-backend-v2'),
      to('bar.wildcard.io', '/s2', 'infra-backend-v2'),
      to('foo.bar.wildcard.io', '/s2', 'infra-backend-v2'),
      notFound('non.matching.com', '/s2'),
      notFound('wildcard.io', '/s2'),
      notFound('very.specific.com', '/s2'),
      notFound('foo.wildcard.io', '/non-matching-prefix'),
      to('very.specific.com', '/s3', 'infra-backend-v3'),
      notFound('non.matching.com', '/s3'),
      notFound('foo.specific.com', '/s3'),
      notFound('foo.wildcard.io', '/s3'),
      notFound('very.specific.com', '/non-matching-prefix'),
      to('foo.anotherwildcard.io', '/s4', 'infra-backend-v1'),
      to('bar.anotherwildcard.io', '/s4', 'infra-backend-v1'),
      to('foo.bar.anotherwildcard.io', '/s4', 'infra-backend-v1'),
      notFound('anotherwildcard.io', '/s4'),
      notFound('foo.wildcard.io', '/s4'),
      notFound('very.specific.com', '/s4'),
      notFound('foo.anotherwildcard.io', '/non-matching-prefix'),
    ]);

    // A route whose hostnames intersect no listener's.
    const noIntersection = infra('no-intersecting-hosts');
    await routeMustHaveParents(context, noIntersection, [gatewayParent(context, gateway, [{ type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }])], true);
    await expectResponses(context, address, [notFound('specific.but.wrong.com', '/s5'), notFound('wildcard.io', '/s5')]);

    // attachedRoutes counts only accepted routes.
    await gatewayMustHaveListeners(context, gateway, [listener('listener-1', 2), listener('listener-2', 1), listener('listener-3', 1)]);

    // A listener without a hostname takes every hostname of its routes.
    const gatewayAll = infra('httproute-hostname-intersection-all');
    const routeAll = infra('httproute-hostname-intersection-all');
    const addressAll = await gatewayAndRoutesAccepted(context, gatewayAll, [routeAll]);
    await routeResolvedRefs(context, routeAll, gatewayAll);
    await expectResponses(context, addressAll, [
      to('first.com', '/', 'infra-backend-v2'),
      to('sub.first.com', '/', 'infra-backend-v2'),
      to('second.com', '/', 'infra-backend-v2'),
      to('sub.second.com', '/', 'infra-backend-v2'),
      { ...notFound('third.com', '/'), namespace: INFRA_NS },
      { ...notFound('sub.third.com', '/'), namespace: INFRA_NS },
    ]);
  },
};
