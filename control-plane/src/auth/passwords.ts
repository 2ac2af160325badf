// Password hashing with bcrypt (cost 10) and verification that takes as long for an unknown account as
// for a wrong password, so login timing does not reveal which emails exist.
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes; longer passwords are refused instead of silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 10;

// A hash of a random string nobody knows, compared against when the account does not exist.
const dummyHash = bcrypt.hashSync(`dummy-${Math.random()}-${Date.now()}`, BCRYPT_COST);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/** True when `password` matches `hash`; with no hash it still spends one bcrypt comparison and answers false. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? dummyHash);
  return hash !== null && matches;
}
