// One loopback address per Gateway for the local provisioner: 127.0.10.1, .2 … .254, then 127.0.11.1 … (on Linux
// the whole 127/8 answers). A Gateway keeps its address while it holds it; a released address is reused lowest first.

export const FIRST_LOOPBACK_OCTET = 10;
const PER_BLOCK = 254;
/** 127.0.10.0/24 up to 127.0.255.0/24. */
export const LOOPBACK_CAPACITY = PER_BLOCK * (256 - FIRST_LOOPBACK_OCTET);

export function loopbackAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= LOOPBACK_CAPACITY) throw new RangeError(`loopback address index ${index} out of range`);
  return `127.0.${FIRST_LOOPBACK_OCTET + Math.floor(index / PER_BLOCK)}.${(index % PER_BLOCK) + 1}`;
}

export class LoopbackAddresses {
  private readonly held = new Map<string, number>();

  /** The owner's address: the one it holds, else the lowest free one. */
  allocate(owner: string): string {
    const existing = this.held.get(owner);
    if (existing !== undefined) return loopbackAddress(existing);
    const taken = new Set(this.held.values());
    let index = 0;
    while (taken.has(index)) index += 1;
    if (index >= LOOPBACK_CAPACITY) throw new Error(`no loopback address left for ${owner}`);
    this.held.set(owner, index);
    return loopbackAddress(index);
  }

  release(owner: string): void {
    this.held.delete(owner);
  }
}
