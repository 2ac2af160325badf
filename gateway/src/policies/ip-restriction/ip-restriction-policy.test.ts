import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors.js';
import type { RouteConfig } from '../../config/index.js';
import type { Policy, PolicyEnv } from '../../pipeline/policy.js';
import { requestContext } from '../../testing/request-context.js';
import { definition } from './ip-restriction-policy.js';
import { MAX_IP_RULES } from './schema.js';

function policyOf(ipRestriction: { allow?: string[]; deny?: string[] }): Policy {
  const policy = definition.compile({ ipRestriction } as RouteConfig, {} as PolicyEnv);
  assert.ok(policy !== undefined);
  return policy;
}

const verdict = (policy: Policy, clientIp: string) => {
  const outcome = policy(requestContext({ clientIp }));
  return outcome instanceof GatewayError ? outcome.status : 'pass';
};

test('allow admits only its IPv4 and IPv6 ranges; an IPv4-mapped IPv6 client counts as its IPv4 address', () => {
  const policy = policyOf({ allow: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] });
  assert.equal(verdict(policy, '10.200.1.1'), 'pass');
  assert.equal(verdict(policy, '::ffff:10.1.2.3'), 'pass');
  assert.equal(verdict(policy, '2001:db8:0:1::9'), 'pass');
  assert.equal(verdict(policy, '192.0.2.7'), 'pass');
  assert.equal(verdict(policy, '192.0.2.8'), 403);
  assert.equal(verdict(policy, '11.0.0.1'), 403);
  assert.equal(verdict(policy, '2001:db9::1'), 403);
  assert.equal(verdict(policy, 'not-an-ip'), 403);
});

test('deny wins over allow', () => {
  const policy = policyOf({ allow: ['10.0.0.0/8'], deny: ['10.0.0.0/24'] });
  assert.equal(verdict(policy, '10.0.0.5'), 403);
  assert.equal(verdict(policy, '10.0.1.5'), 'pass');
  assert.equal(verdict(policyOf({ deny: ['::/0'] }), '2001:db8::1'), 403);
  assert.equal(verdict(policyOf({ deny: ['::/0'] }), '10.0.0.1'), 'pass');
});

test('attacker: the largest list the schema allows still decides every address correctly', () => {
  const deny = Array.from({ length: MAX_IP_RULES }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  const policy = policyOf({ deny });
  assert.equal(verdict(policy, '10.3.255.9'), 403);
  assert.equal(verdict(policy, '10.4.0.1'), 'pass');
  assert.equal(verdict(policy, '::ffff:10.0.0.1'), 403);
});
