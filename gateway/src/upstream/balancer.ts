// The three ways to choose a target, pure and allocation-free: smooth weighted round-robin (nginx's
// algorithm), least-request (power of two random choices, weight-aware) and weighted rendezvous hashing
// (consistent-hash: when a target leaves, only the keys it owned move). Each returns an index into `entries`,
// or -1 when no entry may take traffic (unavailable, weight 0, or the one excluded).

export interface BalancedEntry {
  readonly weight: number;
  /** Healthy and not ejected. */
  readonly available: boolean;
  /** Requests sent to it that have not finished. */
  readonly inFlight: number;
  /** Smooth weighted round-robin's running weight (mutated by pickRoundRobin). */
  currentWeight: number;
  /** A stable hash of the entry's identity, for rendezvous hashing. */
  readonly seed: number;
}

function eligible(entry: BalancedEntry, exclude: BalancedEntry | undefined): boolean {
  return entry.available && entry.weight > 0 && entry !== exclude;
}

/**
 * nginx's smooth weighted round-robin: every eligible entry gains its weight, the highest is chosen and loses
 * the total. Weights 5,1,1 give a a b a c a a: interleaved, exact over each cycle.
 */
export function pickRoundRobin(entries: readonly BalancedEntry[], exclude?: BalancedEntry): number {
  if (entries.length === 1) return eligible(entries[0] as BalancedEntry, exclude) ? 0 : -1;
  let total = 0;
  let best = -1;
  let bestWeight = -Infinity;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as BalancedEntry;
    if (!eligible(entry, exclude)) continue;
    entry.currentWeight += entry.weight;
    total += entry.weight;
    if (entry.currentWeight > bestWeight) {
      bestWeight = entry.currentWeight;
      best = i;
    }
  }
  if (best >= 0) (entries[best] as BalancedEntry).currentWeight -= total;
  return best;
}

/** A weighted random eligible entry, given the eligible total weight. */
function weightedRandom(entries: readonly BalancedEntry[], total: number, random: () => number, exclude: BalancedEntry | undefined): number {
  let point = random() * total;
  let last = -1;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as BalancedEntry;
    if (!eligible(entry, exclude)) continue;
    last = i;
    point -= entry.weight;
    if (point < 0) return i;
  }
  return last;
}

/**
 * Power of two choices: two entries drawn at random in proportion to their weights; the one with fewer
 * requests in flight per unit of weight wins (the first on a tie).
 */
export function pickLeastRequest(entries: readonly BalancedEntry[], random: () => number, exclude?: BalancedEntry): number {
  if (entries.length === 1) return eligible(entries[0] as BalancedEntry, exclude) ? 0 : -1;
  let total = 0;
  for (const entry of entries) if (eligible(entry, exclude)) total += entry.weight;
  if (total === 0) return -1;
  const a = weightedRandom(entries, total, random, exclude);
  const b = weightedRandom(entries, total, random, exclude);
  const ea = entries[a] as BalancedEntry;
  const eb = entries[b] as BalancedEntry;
  // inFlight/weight compared without division.
  return eb.inFlight * ea.weight < ea.inFlight * eb.weight ? b : a;
}

const TWO_32 = 4_294_967_296;

/**
 * Weighted rendezvous hashing: each entry scores weight / -ln(u), u uniform in (0,1) from the key and the
 * entry's seed; the highest score wins. Removing an entry moves exactly the keys it won.
 */
export function pickRendezvous(entries: readonly BalancedEntry[], keyHash: number, mixer: (a: number, b: number) => number, exclude?: BalancedEntry): number {
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as BalancedEntry;
    if (!eligible(entry, exclude)) continue;
    const u = (mixer(keyHash, entry.seed) + 0.5) / TWO_32;
    const score = entry.weight / -Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
