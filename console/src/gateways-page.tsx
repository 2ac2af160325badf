// The gateways page: every online node with its software version, config version (marked when out of date) and
// hash, last seen, last nack with its message and the upstream targets it reports unhealthy. Refreshed every 15 s
// while the tab is visible.
import { useState } from 'preact/hooks';
import { CURRENT_CONFIG_PATH, currentConfigVersion, isOutOfDate, type ConfigVersionsPage, type GatewayNode } from './gateway-nodes.js';
import type { SignedInPageProps } from './pages.js';
import { TimeText } from './time-element.js';
import { useApiData } from './use-api-data.js';
import { useVisibleInterval } from './use-visible-interval.js';

const REFRESH_MS = 15_000;

export function GatewaysPage({ session, onSessionLost }: SignedInPageProps) {
  const gateways = useApiData<{ data: GatewayNode[] }>(`/tenants/${session.tenantId}/gateways`, onSessionLost);
  const config = useApiData<ConfigVersionsPage>(CURRENT_CONFIG_PATH(session.tenantId), onSessionLost);
  const [now, setNow] = useState(() => new Date());
  useVisibleInterval(async () => {
    await Promise.all([gateways.reload(), config.reload()]);
    setNow(new Date());
  }, REFRESH_MS);
  const current = currentConfigVersion(config.data);
  const nodes = gateways.data?.data ?? null;

  return (
    <main id="main" class="wide">
      <h1>Gateways</h1>
      {gateways.error !== null && (
        <p class="error" role="alert">
          Could not load the gateways: {gateways.error}
        </p>
      )}
      {current !== null && <p>Current config version: {current}</p>}
      {nodes === null && gateways.error === null && <p>Loading…</p>}
      {nodes !== null && nodes.length === 0 && (
        <section class="card empty-state" aria-labelledby="no-gateways-heading">
          <h2 id="no-gateways-heading">No gateway is connected</h2>
          <p>A gateway connects with one of your gateway API keys (create one on the Keys page; it is shown once) and appears here within seconds:</p>
          <pre class="command">
            <code>CONTROL_PLANE_URL={location.origin.replace(/^http/, 'ws')} GATEWAY_API_KEY=gw_… npm start -w gateway</code>
          </pre>
          <p>
            From a checkout of NovaGate after <code>npm run build</code>; the same two variables configure the container image. In Kubernetes, the
            operator starts gateways for your Gateway objects.
          </p>
        </section>
      )}
      {nodes !== null && nodes.length > 0 && (
        <table>
          <caption class="visually-hidden">Online gateway nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Software</th>
              <th scope="col">Config version</th>
              <th scope="col">Config hash</th>
              <th scope="col">Last seen</th>
              <th scope="col">Last nack</th>
              <th scope="col">Unhealthy targets</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((node) => (
              <tr key={node.nodeId}>
                <td>{node.nodeId}</td>
                <td>{node.version ?? 'unknown'}</td>
                <td>
                  {node.configVersion ?? 'none'}{' '}
                  {isOutOfDate(node, current) && <span class="badge badge-warning">out of date (current {current})</span>}
                </td>
                <td>{node.configHash === null ? 'none' : <abbr title={node.configHash}>{node.configHash.slice(0, 12)}</abbr>}</td>
                <td>
                  <TimeText time={node.lastSeen} now={now} />
                </td>
                <td>
                  {node.lastNack === null ? (
                    'none'
                  ) : (
                    <>
                      version {node.lastNack.version}: <span class="nack-message">{node.lastNack.message ?? 'no message'}</span>
                    </>
                  )}
                </td>
                <td>
                  {node.unhealthyTargets.length === 0 ? (
                    'none'
                  ) : (
                    <ul class="plain-list">
                      {node.unhealthyTargets.map((target) => (
                        <li key={`${target.service} ${target.target}`}>
                          {target.service}: {target.target}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
