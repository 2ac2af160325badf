// Leader election with a coordination.k8s.io/v1 Lease (client-go's leaderelection): acquire when the lease is
// free or expired, renew every retry period, step down when renewals fail past the renew deadline, and on
// release (SIGTERM) hand the lease back so another replica takes over at once instead of after the duration.
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  now?: () => Date;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (error: unknown) => void;
}

export class LeaderElector {
  private readonly leases: CoordinationV1Api;
  private timer: NodeJS.Timeout | null = null;
  /** The acquire/renew round in flight: stop waits for it, so it cannot retake a lease just released. */
  private round: Promise<void> = Promise.resolve();
  private leading = false;
  private lastRenew = 0;
  private running = false;
  private readonly durationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.leases = kubeConfig.makeApiClient(CoordinationV1Api);
    this.durationSeconds = options.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    const now = options.now ?? (() => new Date());
    // acquireTime and renewTime are MicroTimes: a real API server refuses the milliseconds a plain Date serialises to.
    this.now = () => new V1MicroTime(now().getTime());
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running = true;
    this.round = this.tick();
  }

  /** Stops campaigning; when leading, releases the lease (holder cleared) so a standby takes over at once. */
  async stop(release = true): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.round;
    if (this.leading) {
      this.leading = false;
      if (release) await this.release().catch((error: unknown) => this.options.onError?.(error));
      this.options.onStoppedLeading();
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.round = this.tick();
    }, this.retryPeriodMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let held = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(error);
    }
    if (held) {
      this.lastRenew = Date.now();
      if (!this.leading) {
        this.leading = true; // even when stopping: stop then hands back the lease this round just took
        if (this.running) this.options.onStartedLeading();
      }
    }
    if (!this.running) return;
    if (!held && this.leading && Date.now() - this.lastRenew > this.renewDeadlineMs) {
      this.leading = false;
      this.options.onStoppedLeading();
    }
    this.schedule();
  }

  private spec(previous: V1Lease | null, now: Date): V1Lease['spec'] {
    const transitions = previous?.spec?.leaseTransitions ?? 0;
    const takingOver = previous !== null && previous.spec?.holderIdentity !== this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.durationSeconds,
      // MicroTime: a plain Date would be sent with three fractional digits, which a real API server refuses.
      acquireTime: takingOver || previous === null ? new V1MicroTime(now) : (previous.spec?.acquireTime ?? new V1MicroTime(now)),
      renewTime: new V1MicroTime(now),
      leaseTransitions: takingOver ? transitions + 1 : transitions,
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = this.now();
    let lease: V1Lease;
    try {
      lease = await this.leases.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      try {
        await this.leases.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.spec(null, now) } });
        return true;
      } catch (createError) {
        if (createError instanceof ApiException && createError.code === 409) return false;
        throw createError;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renewed = lease.spec?.renewTime === undefined ? 0 : new Date(lease.spec.renewTime).getTime();
    const duration = (lease.spec?.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    if (holder !== identity && holder !== '' && renewed + duration > now.getTime()) return false;
    try {
      await this.leases.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: this.spec(lease, now) } });
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return false; // another replica won the race
      throw error;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const lease = await this.leases.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== identity) return;
    await this.leases.replaceNamespacedLease({
      namespace,
      name,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.now()) } },
    });
  }
}
