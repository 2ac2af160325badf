// Password hashing with bcrypt (cost 10) and verification that takes as long for an unknown account as
// for a wrong password, so login timing does not reveal which emails exist. bcrypt runs on libuv's thread
// pool; at most (cores - 1) hashes run at once, so a burst of registrations or logins always leaves a core
// to the event loop and the rest of the API stays responsive.
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes; longer passwords are refused instead of silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 10;

// A hash of a random string nobody knows, compared against when the account does not exist.
const dummyHash = bcrypt.hashSync(`dummy-${Math.random()}-${Date.now()}`, BCRYPT_COST);

/** Runs at most `slots` tasks at once, the others in arrival order. */
export function createSlots(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running -= 1;
      else next(); // the slot passes straight to the next task
    }
  };
}

const inBcryptSlot = createSlots(Math.max(1, availableParallelism() - 1));

export function hashPassword(password: string): Promise<string> {
  return inBcryptSlot(() => bcrypt.hash(password, BCRYPT_COST));
}

/** True when `password` matches `hash`; with no hash it still spends one bcrypt comparison and answers false. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  const matches = await inBcryptSlot(() => bcrypt.compare(password, hash ?? dummyHash));
  return hash !== null && matches;
}
