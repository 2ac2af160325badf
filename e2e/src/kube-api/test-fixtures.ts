// What the kube-api tests share: a Tenant CRD shaped like NovaGate's, a few instances, and a bounded poll.
import assert from 'node:assert/strict';
import type { KubeObject } from './object.js';

export function tenantCrd(options: { scope?: 'Namespaced' | 'Cluster'; statusSubresource?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'tenants.novagate.dev' },
    spec: {
      group: 'novagate.dev',
      scope: options.scope ?? 'Namespaced',
      names: { plural: 'tenants', singular: 'tenant', kind: 'Tenant', listKind: 'TenantList', shortNames: ['tn'] },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          ...(options.statusSubresource === false ? {} : { subresources: { status: {} } }),
          additionalPrinterColumns: [
            { name: 'Plan', type: 'string', jsonPath: '.spec.plan' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['displayName', 'plan'],
                  'x-kubernetes-validations': [{ rule: "self.plan != 'free' || !has(self.seats) || self.seats <= 5", message: 'a free plan has at most 5 seats', fieldPath: '.seats' }],
                  properties: {
                    displayName: { type: 'string', minLength: 1, maxLength: 40 },
                    plan: { type: 'string', enum: ['free', 'pro', 'enterprise'] },
                    ownerEmail: { type: 'string', pattern: '^[^@]+@[^@]+$' },
                    deletionPolicy: { type: 'string', enum: ['Retain', 'Delete'], default: 'Retain' },
                    seats: { type: 'integer', minimum: 1, maximum: 1000 },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    observedGeneration: { type: 'integer' },
                    conditions: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['type', 'status'],
                        properties: {
                          type: { type: 'string' },
                          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                          reason: { type: 'string' },
                          message: { type: 'string' },
                          lastTransitionTime: { type: 'string', format: 'date-time' },
                          observedGeneration: { type: 'integer' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

export function tenant(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', metadata: { name, ...metadata }, spec: { displayName: name, plan: 'free', ...spec } };
}

/** Polls a condition on the event loop, bounded in attempts. */
export async function waitFor(condition: () => boolean, what: string, attempts = 3000): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}
