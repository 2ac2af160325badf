// The `basic-auth` policy behind the registry (priority 320, after key-auth, before acl). `env` is typed by the
// two members it uses, so this definition fits the registry's PolicyDefinition and PolicyEnv as they are.
import type { GatewayConfig, RouteConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { basicAuthTable, createBasicAuthPolicy, processBasicAuthState } from './basic-auth-policy.js';

export interface BasicAuthEnv {
  readonly config: GatewayConfig;
  /** A value built once per config and shared by every route, under `key`. */
  shared<T>(key: string, build: () => T): T;
}

export const definition = {
  name: 'basic-auth',
  priority: 320,
  compile(route: RouteConfig, env: BasicAuthEnv): Policy | undefined {
    if (route.auth !== 'basic-auth') return undefined;
    return createBasicAuthPolicy(env.shared('basic-auth.users', () => basicAuthTable(env.config.consumers)), processBasicAuthState());
  },
};
