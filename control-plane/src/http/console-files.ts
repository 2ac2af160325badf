// Serves the web console (console/, built by `npm run build` into console/dist) on the control plane's own origin:
// index.html for /console and every page path below it (no-cache: a new build is picked up at once), the content-hashed
// files of /console/assets/ cached for a year as immutable. `/` redirects to the console. Without a build the console's
// pages answer a plain 503 saying how to build it; the API is unaffected. The files are read per request (they are
// small), so a rebuild needs no restart. Everything runs under the app's strict CSP: the build emits no inline code.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.js';

export const CONSOLE_PATH = '/console';

/** console/dist of this checkout, from control-plane/src/http or control-plane/dist/http alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** What the build emits below assets/: `name-HASH.ext`, nothing with a path or a dot-dot. */
const ASSET_NAME = /^[A-Za-z0-9_-]{1,100}\.(js|css)$/;
const CONTENT_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>NovaGate console not built</title></head>
<body>
<h1>The NovaGate web console is not built</h1>
<p>This control plane found no console build. Run <code>npm run build</code> in the repository (it builds
<code>console/</code> into <code>console/dist/</code>) and reload this page. The API under <code>/api/v1</code> works without it.</p>
</body>
</html>
`;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

async function sendIndex(consoleDir: string, reply: FastifyReply): Promise<FastifyReply> {
  let html: Buffer;
  try {
    html = await readFile(join(consoleDir, 'index.html'));
  } catch (error) {
    if (!isMissing(error)) throw error;
    return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
  }
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}

export function registerConsole(app: FastifyInstance, consoleDir: string): void {
  const noAsset = (url: string) => new ApiError(404, 'not_found', `no console file ${url.split('?')[0] ?? ''}`);

  app.get('/', async (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));

  app.get<{ Params: { file: string } }>(`${CONSOLE_PATH}/assets/:file`, async (request, reply) => {
    const match = ASSET_NAME.exec(request.params.file);
    if (match === null) throw noAsset(request.url);
    let body: Buffer;
    try {
      body = await readFile(join(consoleDir, 'assets', request.params.file));
    } catch (error) {
      if (isMissing(error)) throw noAsset(request.url);
      throw error;
    }
    return reply.type(CONTENT_TYPES[match[1] as string] as string).header('cache-control', IMMUTABLE).send(body);
  });

  app.get(CONSOLE_PATH, async (_request, reply) => sendIndex(consoleDir, reply));
  app.get(`${CONSOLE_PATH}/*`, async (request, reply) => {
    // A deeper path below assets/ is a missing file, never the page (a browser would run HTML as a script).
    if (request.url.startsWith(`${CONSOLE_PATH}/assets/`)) throw noAsset(request.url);
    return sendIndex(consoleDir, reply);
  });
}
