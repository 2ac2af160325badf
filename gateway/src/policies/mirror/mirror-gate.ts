// The bound on mirror copies in flight (DESIGN §10 "Mirrors"): one gate per mirrored service, shared by every
// route that mirrors to it and kept across config versions, so a config push never lets a second 64 through.
/** Copies in flight to one mirrored service at most; more are dropped and counted. */
export const MAX_MIRRORS_IN_FLIGHT = 64;

export class MirrorGate {
  private count = 0;

  constructor(private readonly capacity = MAX_MIRRORS_IN_FLIGHT) {}

  /** Takes a place for one copy, if one is free. */
  tryEnter(): boolean {
    if (this.count >= this.capacity) return false;
    this.count++;
    return true;
  }

  leave(): void {
    this.count--;
  }

  get inFlight(): number {
    return this.count;
  }
}
