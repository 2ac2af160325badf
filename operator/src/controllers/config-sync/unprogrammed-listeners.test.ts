import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListenerConfig, RouteConfig } from '@novagate/gateway/config';
import type { Problem } from '../evaluation.js';
import type { DesiredConfig } from './plan.js';
import { dropUnprogrammedListeners } from './unprogrammed-listeners.js';

const listener = (name: string): ListenerConfig => ({ name, port: 80, protocol: 'HTTP' }) as ListenerConfig;
const route = (name: string, listeners?: string[]): RouteConfig => ({ name, paths: ['/'], ...(listeners === undefined ? {} : { listeners }) }) as unknown as RouteConfig;

function desiredWith(listeners: string[], routes: [string, RouteConfig][], keepListeners = false): DesiredConfig {
  return {
    services: new Map(),
    consumers: new Map(),
    certificates: new Map(),
    listeners: new Map(listeners.map((name) => [name, { config: listener(name), owner: `Gateway:infra/gw#${name}` }])),
    routes: new Map(routes.map(([owner, config]) => [config.name, { config, owner }])),
    ...(keepListeners ? { keepListeners } : {}),
  };
}

test('an HTTPRoute attached to a valid and an invalid listener is served on the valid one only', () => {
  const desired = desiredWith(['gwapi.infra.gw.h.http'], [['HTTPRoute:apps/r', route('gwapi.apps.r.h.0.0', ['gwapi.infra.gw.h.http', 'gwapi.infra.gw.h.broken'])]]);
  const problems = new Map<string, Problem>();
  dropUnprogrammedListeners(desired, problems);
  assert.deepEqual(desired.routes.get('gwapi.apps.r.h.0.0')?.config.listeners, ['gwapi.infra.gw.h.http']);
  assert.equal(problems.size, 0);
});

test('an HTTPRoute attached only to listeners not programmed is left out with a Pending problem, never written without listeners', () => {
  const desired = desiredWith(['gwapi.infra.gw.h.http'], [
    ['HTTPRoute:apps/r', route('gwapi.apps.r.h.0.0', ['gwapi.infra.gw.h.https'])],
    ['HTTPRoute:apps/r', route('gwapi.apps.r.h.1.0', ['gwapi.infra.gw.h.https'])],
  ]);
  const problems = new Map<string, Problem>();
  dropUnprogrammedListeners(desired, problems);
  assert.equal(desired.routes.size, 0);
  assert.equal(problems.get('HTTPRoute:apps/r')?.reason, 'Pending');
});

test("NovaGateRoutes and routes naming no listener are left alone, and nothing changes while the Gateways are not known", () => {
  const own = route('shop', ['gwapi.infra.gw.h.gone']);
  const desired = desiredWith([], [['NovaGateRoute:apps/shop', own], ['HTTPRoute:apps/any', route('gwapi.apps.any.h.0.0')]]);
  dropUnprogrammedListeners(desired, new Map());
  assert.equal(desired.routes.size, 2);
  const kept = desiredWith([], [['HTTPRoute:apps/r', route('gwapi.apps.r.h.0.0', ['gwapi.infra.gw.h.http'])]], true);
  const problems = new Map<string, Problem>();
  dropUnprogrammedListeners(kept, problems);
  assert.deepEqual(kept.routes.get('gwapi.apps.r.h.0.0')?.config.listeners, ['gwapi.infra.gw.h.http']);
  assert.equal(problems.size, 0);
});

test('a problem the route already has (a refusal) is not overwritten by Pending', () => {
  const desired = desiredWith([], [['HTTPRoute:apps/r', route('gwapi.apps.r.h.0.0', ['gwapi.infra.gw.h.x'])]]);
  const problems = new Map<string, Problem>([['HTTPRoute:apps/r', { reason: 'UnsupportedValue', message: 'spec.rules[0]: ...' }]]);
  dropUnprogrammedListeners(desired, problems);
  assert.equal(problems.get('HTTPRoute:apps/r')?.reason, 'UnsupportedValue');
});
