// How close a certificate is to its notAfter: the certificates page's badge.

/** Under this many days left, a certificate gets the warning badge. */
export const EXPIRY_WARNING_DAYS = 14;

export type ExpiryState = { kind: 'valid'; daysLeft: number } | { kind: 'expiring'; daysLeft: number } | { kind: 'expired' };

const DAY_MS = 86_400_000;

export function expiryState(notAfter: Date, now: Date): ExpiryState {
  const left = notAfter.getTime() - now.getTime();
  if (left <= 0) return { kind: 'expired' };
  const daysLeft = Math.floor(left / DAY_MS);
  return left < EXPIRY_WARNING_DAYS * DAY_MS ? { kind: 'expiring', daysLeft } : { kind: 'valid', daysLeft };
}

/** The badge's words, or null for a certificate with time enough. */
export function expiryBadge(state: ExpiryState): string | null {
  if (state.kind === 'expired') return 'Expired';
  if (state.kind === 'expiring') return state.daysLeft === 0 ? 'Expires within a day' : `Expires in ${state.daysLeft} ${state.daysLeft === 1 ? 'day' : 'days'}`;
  return null;
}
