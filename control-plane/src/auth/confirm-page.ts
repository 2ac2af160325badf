// The page a registration mail links to (DESIGN §3). Opening it spends nothing: mail scanners prefetch links,
// so only the button's POST /api/v1/auth/register/confirm creates the tenant. The token travels in the URL's
// fragment (never sent to a server, never in a Referer); `?token=` works too. The script is a separate
// same-origin file so helmet's Content-Security-Policy (script-src 'self') needs no exception.
import type { FastifyInstance } from 'fastify';

export const CONFIRM_PAGE_PATH = '/register/confirm';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Confirm your NovaGate registration</title>
<script src="${CONFIRM_PAGE_PATH}.js" defer></script>
</head>
<body>
<h1>Confirm your NovaGate registration</h1>
<form id="confirm">
<p>Press the button to create your account. The link works once: keep what the page shows next, the gateway key is shown only once.</p>
<button type="submit">Create my account</button>
</form>
<pre id="result"></pre>
</body>
</html>
`;

const SCRIPT = `'use strict';
document.getElementById('confirm').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = document.getElementById('result');
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  const token = fromHash || new URLSearchParams(location.search).get('token') || '';
  const button = event.target.querySelector('button');
  button.disabled = true;
  try {
    const response = await fetch('/api/v1/auth/register/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const body = await response.json();
    if (response.status === 201) {
      history.replaceState(null, '', location.pathname);
      out.textContent = 'Your account is ready.\\n\\nTenant id: ' + body.tenant.id + '\\nGateway API key (shown only now): ' + body.gatewayApiKey + '\\nPlatform token: ' + body.token;
    } else {
      out.textContent = 'Not created: ' + (body.error ? body.error.message : response.status);
      button.disabled = false;
    }
  } catch (error) {
    out.textContent = 'Not created: ' + error;
    button.disabled = false;
  }
});
`;

export function registerConfirmPage(app: FastifyInstance): void {
  app.get(CONFIRM_PAGE_PATH, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE),
  );
  app.get(`${CONFIRM_PAGE_PATH}.js`, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(SCRIPT),
  );
}
