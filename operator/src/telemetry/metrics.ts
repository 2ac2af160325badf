// The operator's metrics (DESIGN §9) in a registry of its own: reconciles by kind and result, their duration,
// work-queue depth, whether this replica leads, and Events that could not be recorded.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<'kind' | 'result'>;
  reconcileDuration: Histogram<'kind'>;
  workqueueDepth: Gauge<'kind'>;
  leader: Gauge;
  eventsFailed: Counter<'cause'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconcileTotal: new Counter({
      name: 'novagate_reconcile_total',
      help: 'Reconciles by kind and result (success or error)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'novagate_reconcile_duration_seconds',
      help: 'Duration of one reconcile',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    workqueueDepth: new Gauge({ name: 'novagate_workqueue_depth', help: 'Keys waiting in the work queue', labelNames: ['kind'], registers: [registry] }),
    leader: new Gauge({ name: 'novagate_operator_leader', help: '1 when this replica holds the leader Lease', registers: [registry] }),
    eventsFailed: new Counter({
      name: 'novagate_events_failed_total',
      help: 'Events the API server refused or that could not be sent, by cause (HTTP status or network)',
      labelNames: ['cause'],
      registers: [registry],
    }),
  };
}
