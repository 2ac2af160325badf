// Pure over the caches: the NovaGatePolicy attachment of the whole cluster (policy-attachment.ts), with targets
// looked up in the caches (an HTTPRoute; a Gateway of one of our GatewayClasses and its listeners) and each policy's
// fields checked by the gateway's schema. Built once per sync or reconcile, then asked per route.
import { attachPolicies, type PolicyAttachment, type PolicyObject } from '../../gateway-api/policy-attachment.js';
import type { Caches } from '../controller.js';
import { gatewayOwnership } from '../gateway/gateway-tenant.js';
import { policyFieldsProblem } from './policy-fields.js';

export type PolicyCaches = Pick<Caches, 'novagatepolicies' | 'httproutes' | 'gateways' | 'gatewayclasses'>;

/** Whether a target exists, or why not (the TargetNotFound message). */
export function findTarget(caches: Omit<PolicyCaches, 'novagatepolicies'>, kind: 'HTTPRoute' | 'Gateway', namespace: string, name: string, sectionName: string | undefined): true | string {
  if (kind === 'HTTPRoute') {
    const route = caches.httproutes.get(`${namespace}/${name}`);
    return route === undefined || route.metadata.deletionTimestamp !== undefined ? `HTTPRoute ${namespace}/${name} does not exist` : true;
  }
  const gateway = caches.gateways.get(`${namespace}/${name}`);
  if (gateway === undefined || gateway.metadata.deletionTimestamp !== undefined) return `Gateway ${namespace}/${name} does not exist`;
  const ownership = gatewayOwnership(gateway, caches);
  if (ownership.kind !== 'ours') return `Gateway ${namespace}/${name} is not served by a NovaGate GatewayClass${'message' in ownership ? ` (${ownership.message})` : ''}`;
  if (sectionName !== undefined && !gateway.spec.listeners.some((listener) => listener.name === sectionName)) {
    return `Gateway ${namespace}/${name} has no listener named ${sectionName}`;
  }
  return true;
}

export function policyAttachmentOf(caches: PolicyCaches): PolicyAttachment {
  const policies = caches.novagatepolicies.list().filter((policy) => policy.metadata.deletionTimestamp === undefined) as PolicyObject[];
  return attachPolicies(policies, {
    isTarget: (kind, namespace, name, sectionName) => findTarget(caches, kind, namespace, name, sectionName),
    problemOf: policyFieldsProblem,
  });
}
