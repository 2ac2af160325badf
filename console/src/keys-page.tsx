// The keys page: gateway API keys and consumer keys, each listed by prefix, created and shown once, revoked.
import { ConsumerKeysSection } from './consumer-keys-section.js';
import { GatewayKeysSection } from './gateway-keys-section.js';
import type { SignedInPageProps } from './pages.js';

export function KeysPage({ session, onSessionLost }: SignedInPageProps) {
  return (
    <main id="main" class="keys-page">
      <h1>Keys</h1>
      <GatewayKeysSection session={session} onSessionLost={onSessionLost} />
      <ConsumerKeysSection session={session} onSessionLost={onSessionLost} />
    </main>
  );
}
