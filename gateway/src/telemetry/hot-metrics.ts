// Counters and histograms for the per-request metrics. prom-client's own label handling (validation and
// hashing of a label object on every call) costs several microseconds per request; here a series is a
// plain object found once per label set, updated with an addition, and turned into prom-client's metric
// shape only when /metrics is scraped (also for the cluster primary's aggregation).
import type { Registry } from 'prom-client';

type Labels = Record<string, string>;

export interface CounterSeries {
  value: number;
}

export interface HistogramSeries {
  observe(value: number): void;
}

/** One exported sample, as prom-client's Registry formats and aggregates it. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface ScrapedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

interface ScrapableMetric extends Omit<ScrapedMetric, 'values'> {
  get(): Promise<ScrapedMetric>;
  reset(): void;
}

/** Drops every series whose labels `keep` refuses (those of routes a new config no longer has). */
function retainSeries(all: Map<string, { labels: Labels }>, keep: (labels: Labels) => boolean): void {
  for (const [key, found] of all) if (!keep(found.labels)) all.delete(key);
}

function register(registry: Registry, metric: ScrapableMetric): void {
  // prom-client reads any object with this shape; its Registry types only know its own classes.
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

export function createHotCounter(registry: Registry, name: string, help: string) {
  const series = new Map<string, { labels: Labels; value: number }>();
  register(registry, {
    name,
    help,
    type: 'counter',
    aggregator: 'sum',
    get: () =>
      Promise.resolve({
        name,
        help,
        type: 'counter',
        aggregator: 'sum',
        values: [...series.values()].map(({ labels, value }) => ({ labels, value })),
      }),
    reset: () => series.clear(),
  });
  return {
    retain: (keep: (labels: Labels) => boolean) => retainSeries(series, keep),
    /** The series of `labels`, made on first use; `key` must identify the label values. */
    series(key: string, labels: () => Labels): CounterSeries {
      let found = series.get(key);
      if (found === undefined) {
        found = { labels: labels(), value: 0 };
        series.set(key, found);
      }
      return found;
    },
  };
}

export function createHotHistogram(registry: Registry, name: string, help: string, buckets: readonly number[]) {
  interface Series extends HistogramSeries {
    labels: Labels;
    counts: number[];
    sum: number;
    count: number;
  }
  const all = new Map<string, Series>();
  const values = (): Sample[] => {
    const out: Sample[] = [];
    for (const { labels, counts, sum, count } of all.values()) {
      let cumulative = 0;
      buckets.forEach((bound, i) => {
        cumulative += counts[i] as number;
        out.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
      });
      out.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: `${name}_bucket` });
      out.push({ labels, value: sum, metricName: `${name}_sum` });
      out.push({ labels, value: count, metricName: `${name}_count` });
    }
    return out;
  };
  register(registry, {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () =>
      Promise.resolve({
        name,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: values(),
      }),
    reset: () => all.clear(),
  });
  return {
    retain: (keep: (labels: Labels) => boolean) => retainSeries(all, keep),
    /** The series of `labels`, made on first use; `key` must identify the label values. */
    series(key: string, labels: () => Labels): HistogramSeries {
      let found = all.get(key);
      if (found === undefined) {
        const counts = buckets.map(() => 0);
        const created: Series = {
          labels: labels(),
          counts,
          sum: 0,
          count: 0,
          observe(value: number) {
            created.sum += value;
            created.count++;
            for (let i = 0; i < buckets.length; i++) {
              if (value <= (buckets[i] as number)) {
                counts[i] = (counts[i] as number) + 1;
                return;
              }
            }
          },
        };
        all.set(key, created);
        found = created;
      }
      return found;
    },
  };
}
