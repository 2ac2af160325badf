// The console's pages, one line each: the component, its title and (for pages behind the session) its label in the
// navigation. Adding a page is a file with its component and a line here (and its name in router.ts).
import type { ComponentType } from 'preact';
import type { PublicPageName, SignedInPageName, PageName } from './router.js';
import type { Session } from './session.js';
import { ConfirmPage } from './confirm-page.js';
import { LoginPage } from './login-page.js';
import { ResetPage } from './reset-page.js';
import { ServicesPage } from './services-page.js';
import { RoutesPage } from './routes-page.js';
import { ConsumersPage } from './consumers-page.js';
import { SignupPage } from './signup-page.js';
import { KeysPage } from './keys-page.js';
import { HistoryPage } from './history-page.js';
import { OverviewPage } from './overview-page.js';
import { GatewaysPage } from './gateways-page.js';
import { LogsPage } from './logs-page.js';
import { CertificatesPage } from './certificates-page.js';

export interface PublicPageProps {
  navigate: (page: PageName) => void;
  onSignedIn: (session: Session) => void;
}

export interface SignedInPageProps {
  session: Session;
  navigate: (page: PageName) => void;
  /** The API answered 401: the session expired or was ended elsewhere. */
  onSessionLost: () => void;
}

export interface PublicPage {
  title: string;
  component: ComponentType<PublicPageProps>;
}

export interface SignedInPage {
  title: string;
  navLabel: string;
  component: ComponentType<SignedInPageProps>;
}

export const PUBLIC_PAGE_ENTRIES: Record<PublicPageName, PublicPage> = {
  login: { title: 'Sign in', component: LoginPage },
  signup: { title: 'Create an account', component: SignupPage },
  confirm: { title: 'Confirm your registration', component: ConfirmPage },
  reset: { title: 'Reset your password', component: ResetPage },
};

export const SIGNED_IN_PAGE_ENTRIES: Record<SignedInPageName, SignedInPage> = {
  overview: { title: 'Overview', navLabel: 'Overview', component: OverviewPage },
  services: { title: 'Services', navLabel: 'Services', component: ServicesPage },
  routes: { title: 'Routes', navLabel: 'Routes', component: RoutesPage },
  consumers: { title: 'Consumers', navLabel: 'Consumers', component: ConsumersPage },
  keys: { title: 'Keys', navLabel: 'Keys', component: KeysPage },
  history: { title: 'Config history', navLabel: 'History', component: HistoryPage },
  gateways: { title: 'Gateways', navLabel: 'Gateways', component: GatewaysPage },
  logs: { title: 'Request logs', navLabel: 'Logs', component: LogsPage },
  certificates: { title: 'Certificates', navLabel: 'Certificates', component: CertificatesPage },
};
