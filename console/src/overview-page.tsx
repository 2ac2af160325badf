// The overview: gateways online and how many run an old config, the current config version, requests and the 5xx
// rate per minute over the last hour, and the routes with the most 5xx. Refreshed every 15 s while the tab is visible.
import { RequestChart } from './request-chart.js';
import { formatPercent, errorRate, type MinuteCounts } from './chart-geometry.js';
import { CURRENT_CONFIG_PATH, currentConfigVersion, isOutOfDate, type ConfigVersionsPage, type GatewayNode } from './gateway-nodes.js';
import type { SignedInPageProps } from './pages.js';
import { useApiData } from './use-api-data.js';
import { useVisibleInterval } from './use-visible-interval.js';

interface Counts {
  requests: number;
  clientErrors: number;
  serverErrors: number;
}

interface Summary {
  minutes: number;
  buckets: MinuteCounts[];
  totals: Counts;
  topErrorRoutes: (Counts & { route: string | null })[];
}

export const OVERVIEW_REFRESH_MS = 15_000;

export function OverviewPage({ session, onSessionLost }: SignedInPageProps) {
  const base = `/tenants/${session.tenantId}`;
  const gateways = useApiData<{ data: GatewayNode[] }>(`${base}/gateways`, onSessionLost);
  const config = useApiData<ConfigVersionsPage>(CURRENT_CONFIG_PATH(session.tenantId), onSessionLost);
  const summary = useApiData<Summary>(`${base}/request-logs/summary?minutes=60`, onSessionLost);
  useVisibleInterval(() => Promise.all([gateways.reload(), config.reload(), summary.reload()]).then(() => undefined), OVERVIEW_REFRESH_MS);

  const current = currentConfigVersion(config.data);
  const nodes = gateways.data?.data ?? null;
  const outOfDate = nodes === null ? null : nodes.filter((node) => isOutOfDate(node, current)).length;
  const errors = [gateways.error, config.error, summary.error].filter((error) => error !== null);
  const totals = summary.data?.totals;

  return (
    <main id="main">
      <h1>Overview</h1>
      {errors.length > 0 && (
        <p class="error" role="alert">
          Could not load everything: {errors.join('; ')}
        </p>
      )}
      <dl class="stats">
        <div class="stat">
          <dt>Gateways online</dt>
          <dd data-stat="gateways-online">{nodes?.length ?? '…'}</dd>
        </div>
        <div class="stat">
          <dt>Out of date</dt>
          <dd data-stat="gateways-out-of-date" class={outOfDate !== null && outOfDate > 0 ? 'stat-bad' : undefined}>
            {outOfDate ?? '…'}
          </dd>
        </div>
        <div class="stat">
          <dt>Current config version</dt>
          <dd data-stat="config-version">{current ?? '…'}</dd>
        </div>
        <div class="stat">
          <dt>Requests, last hour</dt>
          <dd data-stat="requests">{totals?.requests ?? '…'}</dd>
        </div>
        <div class="stat">
          <dt>5xx errors, last hour</dt>
          <dd data-stat="server-errors">
            {totals === undefined ? '…' : `${totals.serverErrors} (${formatPercent(errorRate(totals))})`}
          </dd>
        </div>
        <div class="stat">
          <dt>4xx answers, last hour</dt>
          <dd data-stat="client-errors">{totals?.clientErrors ?? '…'}</dd>
        </div>
      </dl>
      <section aria-labelledby="traffic-heading">
        <h2 id="traffic-heading">Requests and 5xx rate, last hour</h2>
        {summary.data === null ? <p>Loading…</p> : <RequestChart buckets={summary.data.buckets} />}
      </section>
      <section aria-labelledby="error-routes-heading">
        <h2 id="error-routes-heading">Routes with the most errors</h2>
        {summary.data !== null && summary.data.topErrorRoutes.length === 0 && <p>No route answered a 5xx in the last hour.</p>}
        {summary.data !== null && summary.data.topErrorRoutes.length > 0 && (
          <table>
            <caption class="visually-hidden">Routes with the most 5xx answers in the last hour</caption>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">5xx</th>
                <th scope="col">Requests</th>
                <th scope="col">5xx rate</th>
              </tr>
            </thead>
            <tbody>
              {summary.data.topErrorRoutes.map((route) => (
                <tr key={route.route ?? ''}>
                  <td>{route.route ?? <em>no route matched</em>}</td>
                  <td>{route.serverErrors}</td>
                  <td>{route.requests}</td>
                  <td>{formatPercent(errorRate(route))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
