// Outgoing mail behind one interface: SMTP when SMTP_URL is set, otherwise a development mailer that
// writes messages to a local folder (never to the logs) so a developer can still follow a reset link.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}

/** Writes each message as a file in `folder` (mode 0600). */
export function createFolderMailer(folder: string): Mailer {
  return {
    async send(message) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const file = join(folder, `${new Date().toISOString().replaceAll(':', '-')}-${Math.random().toString(36).slice(2, 8)}.eml`);
      // Written aside, then renamed into place: a reader listing *.eml never sees a mail half written.
      writeFileSync(`${file}.part`, `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`, { mode: 0o600 });
      renameSync(`${file}.part`, file);
    },
  };
}
