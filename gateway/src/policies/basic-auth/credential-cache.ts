// Credentials bcrypt already accepted, so steady traffic costs an HMAC and a map lookup instead of a bcrypt.
// The key is HMAC-SHA256 under a key drawn at random when the process starts, of "user-id:password": never the
// plaintext and never a bare hash of the password (which a memory dump could brute-force offline at SHA-256
// speed without the key). The value names the bcrypt hash that matched; the policy accepts a hit only while
// the current config still lists that hash for that user-id, so a rotated-away password stops working on the
// next config version. Only successes enter, at most `maxEntries` (least recently used leave first).
import { createHmac, randomBytes } from 'node:crypto';

export interface VerifiedCredential {
  readonly username: string;
  readonly passwordHash: string;
}

export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, VerifiedCredential>();

  constructor(private readonly maxEntries: number) {}

  keyOf(username: string, password: string): string {
    return createHmac('sha256', this.key).update(`${username}:${password}`).digest('base64');
  }

  get(key: string): VerifiedCredential | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, credential: VerifiedCredential): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, credential);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
