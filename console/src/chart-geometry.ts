// The overview chart's geometry from the summary's per-minute buckets: one bar per minute for the requests (scaled
// to the busiest minute) and a line for the error rate (5xx / requests, 0-100 % over the full height). Pure, so the
// numbers are tested without a browser; the page only draws what this returns.

export interface MinuteCounts {
  start: string;
  requests: number;
  clientErrors: number;
  serverErrors: number;
}

export interface ChartBar {
  start: string;
  requests: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartGeometry {
  bars: ChartBar[];
  /** SVG polyline points of the error rate, one per minute at the bar's centre. */
  errorRatePoints: string;
  /** The request count the full height stands for (at least 1). */
  maxRequests: number;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** 5xx per request, 0 for a minute without requests. */
export function errorRate(counts: Pick<MinuteCounts, 'requests' | 'serverErrors'>): number {
  return counts.requests === 0 ? 0 : counts.serverErrors / counts.requests;
}

export function chartGeometry(buckets: MinuteCounts[], width: number, height: number): ChartGeometry {
  const maxRequests = Math.max(1, ...buckets.map((bucket) => bucket.requests));
  const slot = buckets.length === 0 ? 0 : width / buckets.length;
  const bars = buckets.map((bucket, i) => {
    const barHeight = round((bucket.requests / maxRequests) * height);
    return { start: bucket.start, requests: bucket.requests, x: round(i * slot + slot * 0.1), y: round(height - barHeight), width: round(slot * 0.8), height: barHeight };
  });
  const errorRatePoints = buckets.map((bucket, i) => `${round(i * slot + slot / 2)},${round(height - errorRate(bucket) * height)}`).join(' ');
  return { bars, errorRatePoints, maxRequests };
}

/** The chart in one sentence (its text alternative). */
export function chartSummary(buckets: MinuteCounts[], formatMinute: (start: string) => string): string {
  const requests = buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
  const serverErrors = buckets.reduce((sum, bucket) => sum + bucket.serverErrors, 0);
  if (requests === 0) return `No requests in the last ${buckets.length} minutes.`;
  const busiest = buckets.reduce((best, bucket) => (bucket.requests > best.requests ? bucket : best));
  const percent = formatPercent(errorRate({ requests, serverErrors }));
  return `${requests} requests in the last ${buckets.length} minutes, at most ${busiest.requests} in a minute (${formatMinute(busiest.start)}); ${serverErrors} server errors (${percent}).`;
}

export function formatPercent(rate: number): string {
  const percent = rate * 100;
  return `${percent === 0 || percent >= 10 ? Math.round(percent) : percent.toFixed(1)} %`;
}
