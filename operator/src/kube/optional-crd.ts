// A CRD the operator can do without (the Gateway API's): while the API server answers its list with 404 the kind
// is missing, said once at info level with how to install it, and /readyz does not wait for it; the informer keeps
// retrying with its backoff, and the first list that succeeds says the kind is served again.
export interface OptionalCrdLog {
  info(message: string, fields?: Record<string, unknown>): void;
}

function statusCode(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

export class OptionalCrd {
  private missing = false;
  private reported = false;

  constructor(
    /** The CRD's name (`gatewayclasses.gateway.networking.k8s.io`). */
    readonly crd: string,
    /** What the operator does without it, and how to install it. */
    private readonly withoutIt: string,
    private readonly log: OptionalCrdLog,
  ) {}

  isMissing(): boolean {
    return this.missing;
  }

  track<T>(list: () => Promise<T>): () => Promise<T> {
    return async () => {
      try {
        const result = await list();
        if (this.missing) this.log.info(`${this.crd} is served now; reconciling it`);
        this.missing = false;
        this.reported = false;
        return result;
      } catch (error) {
        if (statusCode(error) === 404) {
          this.missing = true;
          if (!this.reported) this.log.info(`${this.crd} is not installed; ${this.withoutIt}`, { missingCrd: this.crd });
          this.reported = true;
        }
        throw error;
      }
    };
  }
}
