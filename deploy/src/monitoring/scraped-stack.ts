// What the Prometheus end-to-end tests (the alerts', the runbooks') stand up and scrape: a control plane serving
// HTTPS with the dev certificates on a fresh database, the Prometheus config that scrapes it and a gateway under
// the labels the chart's ServiceMonitors give them, and the wait until both targets are scraped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { startTestServer, type TestServer } from '@novagate/control-plane/testing/server';
import { ensureDevTls, type DevTls } from '@novagate/control-plane/tls/dev-certificates';
import { instantQuery, pollFor, prometheusApi, type PrometheusServer } from './prometheus-server.js';

export interface TlsControlPlane {
  /** The CA, certificate and key in `<dir>/tls`. */
  tls: DevTls;
  db: TestDatabase;
  controlPlane: TestServer;
  /** Closes the control plane, then drops its database. */
  close(): Promise<void>;
}

/** The dev certificates in `<dir>/tls` and a control plane serving HTTPS with them on a fresh database. */
export async function startTlsControlPlane(dir: string): Promise<TlsControlPlane> {
  const tls = ensureDevTls(join(dir, 'tls'));
  const db = await createTestDatabase();
  try {
    const controlPlane = await startTestServer({
      db,
      tls: { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8'), ca: readFileSync(tls.caFile, 'utf8') },
    });
    return {
      tls,
      db,
      controlPlane,
      async close() {
        await controlPlane.close();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

export interface ScrapeTargets {
  /** The release namespace the targets are labelled with. */
  namespace: string;
  gatewayJob: string;
  gatewayMetricsPort: number;
  controlPlaneJob: string;
  controlPlaneMetricsPort: number;
  /** The CA the control plane's metrics certificate is checked against. */
  caFile: string;
  ruleFiles?: string[];
}

/**
 * Prometheus' config: both targets every second, each labelled with the namespace and a pod (`<job>-0`) as the
 * chart's ServiceMonitors make the Prometheus Operator label them; the control plane over HTTPS.
 */
export function scrapeConfig(targets: ScrapeTargets): object {
  const labels = (job: string) => ({ namespace: targets.namespace, pod: `${job}-0` });
  return {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    ...(targets.ruleFiles === undefined ? {} : { rule_files: targets.ruleFiles }),
    scrape_configs: [
      { job_name: targets.gatewayJob, static_configs: [{ targets: [`127.0.0.1:${targets.gatewayMetricsPort}`], labels: labels(targets.gatewayJob) }] },
      {
        job_name: targets.controlPlaneJob,
        scheme: 'https',
        tls_config: { ca_file: targets.caFile },
        static_configs: [{ targets: [`127.0.0.1:${targets.controlPlaneMetricsPort}`], labels: labels(targets.controlPlaneJob) }],
      },
    ],
  };
}

/** Waits (30 s at most) until both targets are up and `scraped` holds for the metric names Prometheus has; resolves with them. */
export function waitForBothTargets(prometheus: PrometheusServer, what: string, scraped: (names: Set<string>) => boolean): Promise<Set<string>> {
  return pollFor(
    what,
    async () => {
      const names = new Set(await prometheusApi<string[]>(prometheus, 'label/__name__/values'));
      const up = await instantQuery(prometheus, 'up == 1');
      return up.length === 2 && scraped(names) ? names : undefined;
    },
    30_000,
  );
}
