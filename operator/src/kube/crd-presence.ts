// Which of NovaGate's CRDs the API server does not serve (a list answered 404), said once in one line with how to
// install them, and the reason /readyz gives until they are there. The informers keep retrying with their backoff.
import { GROUP, type CustomKind } from './resources.js';

export interface CrdPresenceLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

function statusCode(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

export const INSTALL_HINT = 'install them with `kubectl apply -f crds/` from the NovaGate repository (the Helm chart installs them too)';

export class CrdPresence {
  private readonly missing = new Set<CustomKind>();
  private readonly tried = new Set<CustomKind>();
  private reported = false;

  constructor(
    private readonly kinds: readonly CustomKind[],
    private readonly log: CrdPresenceLog,
  ) {}

  /** The CRD names not served now, sorted (`routes.novagate.dev`). */
  missingCrds(): string[] {
    return [...this.missing].map((kind) => `${kind}.${GROUP}`).sort();
  }

  isMissing(kind: string): boolean {
    return this.missing.has(kind as CustomKind);
  }

  /** Wraps an informer's list so its outcome tells whether the kind's CRD is served. */
  track<T>(kind: CustomKind, list: () => Promise<T>): () => Promise<T> {
    return async () => {
      try {
        const result = await list();
        this.listed(kind);
        return result;
      } catch (error) {
        this.tried.add(kind);
        if (statusCode(error) === 404) this.missing.add(kind);
        this.maybeReport();
        throw error;
      }
    };
  }

  private listed(kind: CustomKind): void {
    this.tried.add(kind);
    const wasMissing = this.missing.delete(kind);
    if (wasMissing && this.missing.size === 0 && this.reported) {
      this.reported = false;
      this.log.info('NovaGate CRDs found; reconciling');
    }
    this.maybeReport();
  }

  /** One line, once every kind has been tried, naming all that are missing; again only after they were all found. */
  private maybeReport(): void {
    if (this.reported || this.missing.size === 0 || !this.kinds.every((kind) => this.tried.has(kind))) return;
    this.reported = true;
    const crds = this.missingCrds();
    this.log.warn(`CRDs not installed: ${crds.join(', ')}; ${INSTALL_HINT}. Retrying with backoff; not ready until then`, { missingCrds: crds });
  }
}
