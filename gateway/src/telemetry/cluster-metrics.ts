// Metrics of a node:cluster gateway: the primary asks each ready worker for its registry as JSON over IPC
// and serves the sum (prom-client's aggregation). Workers that do not answer within the timeout are left out
// of that scrape rather than failing it.
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsRequest {
  novagate: 'metrics-request';
  id: number;
}
interface MetricsReply {
  novagate: 'metrics-reply';
  id: number;
  metrics: MetricsJson;
}

/** In a worker: answer the primary's requests with this registry. */
export function answerMetricsRequests(registry: Registry): void {
  process.on('message', (message: unknown) => {
    const request = message as MetricsRequest | null;
    if (request?.novagate !== 'metrics-request') return;
    void registry.getMetricsAsJSON().then((metrics) => {
      const reply: MetricsReply = { novagate: 'metrics-reply', id: request.id, metrics: metrics as MetricsJson };
      process.send?.(reply);
    });
  });
}

/** In the primary: collects and sums the workers' metrics. */
export function createClusterMetrics(timeoutMs = 2_000): { collect(workers: Worker[]): Promise<string>; contentType: string } {
  let nextId = 0;
  return {
    contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
    async collect(workers) {
      const id = nextId++;
      const replies = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<MetricsJson | undefined>((resolve) => {
              const onMessage = (message: unknown) => {
                const reply = message as MetricsReply | null;
                if (reply?.novagate !== 'metrics-reply' || reply.id !== id) return;
                finish(reply.metrics);
              };
              const timer = setTimeout(() => finish(undefined), timeoutMs);
              const finish = (metrics: MetricsJson | undefined) => {
                clearTimeout(timer);
                worker.off('message', onMessage);
                resolve(metrics);
              };
              worker.on('message', onMessage);
              const request: MetricsRequest = { novagate: 'metrics-request', id };
              worker.send(request);
            }),
        ),
      );
      const answered = replies.filter((reply): reply is MetricsJson => reply !== undefined);
      return AggregatorRegistry.aggregate(answered).metrics();
    },
  };
}
