// The certificates page (read-only): each pushed certificate's names, SHA-256 fingerprint, expiry (a warning badge
// under 14 days, "Expired" past it) and who manages it.
import { useState } from 'preact/hooks';
import { expiryBadge, expiryState } from './certificate-expiry.js';
import type { SignedInPageProps } from './pages.js';
import { absoluteTime } from './relative-time.js';
import { useApiData } from './use-api-data.js';

interface Certificate {
  id: string;
  name: string;
  names: string[];
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  managedBy: 'api' | 'kubernetes';
  /** Absent for a CA bundle (no private key). */
  key?: { sha256: string };
}

export function CertificatesPage({ session, onSessionLost }: SignedInPageProps) {
  const certificates = useApiData<{ data: Certificate[] }>(`/tenants/${session.tenantId}/certificates`, onSessionLost);
  const [now] = useState(() => new Date());
  const list = certificates.data?.data ?? null;
  return (
    <main id="main" class="wide">
      <h1>Certificates</h1>
      {certificates.error !== null && (
        <p class="error" role="alert">
          Could not load the certificates: {certificates.error}
        </p>
      )}
      {list === null && certificates.error === null && <p>Loading…</p>}
      {list !== null && list.length === 0 && <p>No certificate yet. Push one with POST /api/v1/tenants/{session.tenantId}/certificates.</p>}
      {list !== null && list.length > 0 && (
        <table>
          <caption class="visually-hidden">TLS certificates pushed to your gateways</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Host names</th>
              <th scope="col">SHA-256 fingerprint</th>
              <th scope="col">Expires</th>
              <th scope="col">Managed by</th>
            </tr>
          </thead>
          <tbody>
            {list.map((certificate) => {
              const state = expiryState(new Date(certificate.notAfter), now);
              const badge = expiryBadge(state);
              return (
                <tr key={certificate.id}>
                  <td>
                    {certificate.name}{' '}
                    {certificate.key === undefined && <span class="badge">CA bundle</span>}
                  </td>
                  <td>{certificate.names.length === 0 ? 'none' : certificate.names.join(', ')}</td>
                  <td>
                    <code class="fingerprint">{certificate.fingerprintSha256}</code>
                  </td>
                  <td>
                    <time dateTime={certificate.notAfter}>{absoluteTime(new Date(certificate.notAfter))}</time>{' '}
                    {badge !== null && <span class={`badge ${state.kind === 'expired' ? 'badge-danger' : 'badge-warning'}`}>{badge}</span>}
                  </td>
                  <td>
                    <span class={`badge managed-${certificate.managedBy}`}>{certificate.managedBy === 'kubernetes' ? 'Kubernetes' : 'API'}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
