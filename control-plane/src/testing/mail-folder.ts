// Test and dev support: reads what the folder mailer (auth/mailer.ts, used when SMTP_URL is unset) wrote, so a
// script driving a control-plane process can finish a registration from the mailed link.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The registration token in a confirmation mail's link, or null (e.g. the "you already have an account" mail). */
export function registrationTokenIn(text: string): string | null {
  return /\/console\/confirm#token=([0-9a-f]{64})/.exec(text)?.[1] ?? null;
}

function mailFiles(folder: string): string[] {
  try {
    return readdirSync(folder).filter((file) => file.endsWith('.eml')).sort();
  } catch {
    return []; // The folder appears with the first mail.
  }
}

export interface FolderMailReader {
  /** Waits for the first message to `to` (any case) not returned before, and returns its text. */
  waitFor(to: string, timeoutMs?: number): Promise<string>;
}

/**
 * Reads the mail that arrives in a folder from now on (files already there are skipped); each file is read
 * once, so waiting stays cheap when the folder holds thousands.
 */
export function createFolderMailReader(folder: string): FolderMailReader {
  const recipients = new Map<string, string>();
  const taken = new Set<string>(mailFiles(folder));
  return {
    async waitFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const wanted = to.toLowerCase();
      for (;;) {
        for (const file of mailFiles(folder)) {
          if (taken.has(file)) continue;
          let recipient = recipients.get(file);
          const text = recipient === undefined || recipient === wanted ? readFileSync(join(folder, file), 'utf8') : '';
          if (recipient === undefined) {
            recipient = /^To: (.*)$/m.exec(text)?.[1]?.toLowerCase() ?? '';
            // A file without its To: line yet (written by something that does not rename into place) is read again.
            if (recipient !== '') recipients.set(file, recipient);
          }
          if (recipient === wanted) {
            taken.add(file);
            return text;
          }
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} in ${folder}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
