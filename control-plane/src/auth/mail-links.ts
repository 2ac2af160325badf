// Where the registration and password-reset mails link to: the web console's confirm and reset pages, with the
// one-time token in the URL's fragment (never sent to a server, never in a Referer; the page reads it and removes
// it from the address bar and history). Opening a link spends nothing (mail scanners prefetch links): the page's
// button does. Links mailed before the console existed keep working: their paths answer a redirect to the console
// page, which a browser follows keeping the fragment (RFC 9110 §10.2.2); a legacy `?token=` moves into the fragment.
import type { FastifyInstance } from 'fastify';
import { REGISTRATION_TOKEN_PATTERN } from './registration-tokens.js';
import { RESET_TOKEN_PATTERN } from './reset-tokens.js';

export const CONSOLE_CONFIRM_PATH = '/console/confirm';
export const CONSOLE_RESET_PATH = '/console/reset';

/** The paths earlier mails linked to (the registration confirm page the control plane served, the reset link). */
export const LEGACY_CONFIRM_PATH = '/register/confirm';
export const LEGACY_RESET_PATH = '/reset-password';

/** The console page a legacy link goes to: the token of a `?token=` query (when well-formed) moves to the fragment. */
export function consoleLocationOf(consolePath: string, queryToken: unknown, tokenPattern: RegExp): string {
  return typeof queryToken === 'string' && tokenPattern.test(queryToken) ? `${consolePath}#token=${queryToken}` : consolePath;
}

export function registerLegacyMailLinks(app: FastifyInstance): void {
  for (const [legacy, target, pattern] of [
    [LEGACY_CONFIRM_PATH, CONSOLE_CONFIRM_PATH, REGISTRATION_TOKEN_PATTERN],
    [LEGACY_RESET_PATH, CONSOLE_RESET_PATH, RESET_TOKEN_PATTERN],
  ] as const) {
    app.get<{ Querystring: { token?: unknown } }>(legacy, async (request, reply) =>
      reply.header('cache-control', 'no-store').redirect(consoleLocationOf(target, request.query.token, pattern), 302),
    );
  }
}
