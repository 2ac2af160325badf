// The bcrypt hashes of Consumers' basic-auth passwords. A stored hash is kept while the password still matches
// it, so a resync or an operator restart writes the same config and makes no new config version; a changed
// password gets a new hash (cost 10, random salt). Neither a password nor a hash is ever logged.
import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { ConsumerConfig } from '@novagate/gateway/config';
import type { BasicAuthPassword } from './basic-auth-passwords.js';

/** One `consumers[].basicAuth` entry of the gateway config. */
export type BasicAuthCredential = NonNullable<ConsumerConfig['basicAuth']>[number];

export const BCRYPT_COST = 10;
/** Hashes remembered as matching a password; past it the oldest are forgotten (and compared again when met). */
const MAX_VERIFIED = 100_000;

export class BasicAuthHasher {
  /**
   * Stored hash → a keyed MAC of the password it was verified against: bcrypt.compare costs as much as a hash,
   * and every sync of a tenant would otherwise pay it for every credential. The key lives only in this process,
   * so the map says nothing about a password without it.
   */
  private readonly verified = new Map<string, string>();
  /**
   * `username NUL mac` → the hash last made for it: a Consumer left out of the config (a username conflict, a
   * failed write) has no stored hash, and would otherwise get a new salt, and cost a bcrypt, on every sync.
   */
  private readonly made = new Map<string, string>();
  private readonly macKey = randomBytes(32);

  constructor(private readonly cost = BCRYPT_COST) {}

  /** The credentials for `passwords`: each a hash from `stored` of the same username that matches, else a new one. */
  async credentials(passwords: readonly BasicAuthPassword[], stored: readonly BasicAuthCredential[] = []): Promise<BasicAuthCredential[]> {
    const used = new Set<string>();
    const result: BasicAuthCredential[] = [];
    for (const { username, password } of passwords) {
      const mac = createHmac('sha256', this.macKey).update(password).digest('hex');
      let passwordHash: string | undefined;
      for (const candidate of stored) {
        if (candidate.username !== username || used.has(candidate.passwordHash)) continue;
        if (await this.matches(password, mac, candidate.passwordHash)) {
          passwordHash = candidate.passwordHash;
          break;
        }
      }
      const madeKey = `${username}\u0000${mac}`;
      const earlier = this.made.get(madeKey);
      if (passwordHash === undefined && earlier !== undefined && !used.has(earlier)) passwordHash = earlier;
      if (passwordHash === undefined) {
        passwordHash = await bcrypt.hash(password, this.cost);
        this.remember(passwordHash, mac);
        bounded(this.made, madeKey, passwordHash);
      }
      used.add(passwordHash);
      result.push({ username, passwordHash });
    }
    return result;
  }

  private async matches(password: string, mac: string, hash: string): Promise<boolean> {
    const known = this.verified.get(hash);
    if (known !== undefined) return known === mac;
    // A stored value that is not a bcrypt hash (hand-edited row) is simply not a match.
    const matched = await bcrypt.compare(password, hash).catch(() => false);
    if (matched) this.remember(hash, mac);
    return matched;
  }

  private remember(hash: string, mac: string): void {
    bounded(this.verified, hash, mac);
  }
}

/** Sets `key` as the newest entry of `map`, forgetting the oldest past MAX_VERIFIED. */
function bounded(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_VERIFIED) map.delete(map.keys().next().value as string);
}
