// The overview's chart: requests per minute as bars and the 5xx rate as a line, drawn as inline SVG with
// presentation attributes and classes only (the CSP allows no style attribute). Its text alternative is the
// sentence of chartSummary (the SVG's title); the time labels are HTML below it (SVG text would stretch with the
// chart's width) and a table of every minute behind a disclosure.
import { chartGeometry, chartSummary, errorRate, formatPercent, type MinuteCounts } from './chart-geometry.js';

const WIDTH = 600;
const HEIGHT = 160;

const minuteOf = (start: string) => new Date(start).toISOString().slice(11, 16);

export function RequestChart({ buckets }: { buckets: MinuteCounts[] }) {
  const geometry = chartGeometry(buckets, WIDTH, HEIGHT);
  const summary = `${chartSummary(buckets, (start) => `${minuteOf(start)} UTC`)}`;
  return (
    <figure class="request-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="request-chart-title" preserveAspectRatio="none" class="chart">
        <title id="request-chart-title">{summary}</title>
        <line class="chart-axis" x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
        <line class="chart-grid" x1="0" y1={HEIGHT / 2} x2={WIDTH} y2={HEIGHT / 2} />
        {geometry.bars.map((bar) => (
          <rect key={bar.start} class="chart-bar" x={bar.x} y={bar.y} width={bar.width} height={bar.height} />
        ))}
        <polyline class="chart-error-line" points={geometry.errorRatePoints} fill="none" />
      </svg>
      {buckets.length > 0 && (
        <div class="chart-axis-labels" aria-hidden="true">
          <span>{minuteOf(buckets[0]!.start)}</span>
          <span>{minuteOf(buckets.at(-1)!.start)} UTC</span>
        </div>
      )}
      <figcaption>
        <span class="legend legend-bars">Requests per minute (top: {geometry.maxRequests})</span>{' '}
        <span class="legend legend-errors">5xx error rate (top: 100 %)</span>
        <p class="chart-summary">{summary}</p>
      </figcaption>
      <details>
        <summary>Every minute as a table</summary>
        <table>
          <caption class="visually-hidden">Requests and errors per minute</caption>
          <thead>
            <tr>
              <th scope="col">Minute (UTC)</th>
              <th scope="col">Requests</th>
              <th scope="col">4xx</th>
              <th scope="col">5xx</th>
              <th scope="col">5xx rate</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.start}>
                <td>{minuteOf(bucket.start)}</td>
                <td>{bucket.requests}</td>
                <td>{bucket.clientErrors}</td>
                <td>{bucket.serverErrors}</td>
                <td>{formatPercent(errorRate(bucket))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
