// The architecture fences of eslint.config.js (README "Architecture") bite: an import across a fence is a lint
// error, so it fails `npm test`, and the imports each layer needs stay allowed. Each case lints one import line
// as if it were written in the named file, with exactly the import rules ESLint computes for that file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({ cwd: ROOT });

/** The fence messages an import line gets in that file (empty: allowed). */
async function fenceErrors(file: string, importLine: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> } | undefined;
  const options = config?.rules?.[RULE];
  if (options === undefined) return [];
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    `${importLine}\n`,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser, sourceType: 'module' },
        plugins: { '@typescript-eslint': tseslint.plugin as unknown as ESLint.Plugin },
        rules: { [RULE]: options as Linter.RuleEntry },
      },
    ],
    { filename: `${ROOT}${file}` },
  );
  const fatal = messages.find((message) => message.fatal === true);
  if (fatal !== undefined) throw new Error(`${file}: ${fatal.message}`);
  return messages.map((message) => message.message);
}

const cases: { file: string; line: string; fenced: RegExp | null }[] = [
  // The data layer knows no HTTP.
  { file: 'control-plane/src/tenancy/entities.ts', line: "import Fastify from 'fastify';", fenced: /data layer .* knows no HTTP/ },
  { file: 'control-plane/src/tenancy/entities.ts', line: "import { ApiError } from '../http/errors.js';", fenced: /knows no HTTP/ },
  { file: 'control-plane/src/tenancy/entities.ts', line: "import { registerEntityRoutes } from '../admin-api/entity-router.js';", fenced: /knows no HTTP/ },
  { file: 'control-plane/src/db/pool.ts', line: "import { createHub } from '../hub/hub.js';", fenced: /knows no HTTP/ },
  { file: 'control-plane/src/tenancy/entities.ts', line: "import { withTransaction } from '../db/pool.js';", fenced: null },
  // SQL lives in the data layer.
  { file: 'control-plane/src/admin-api/entity-router.ts', line: "import pg from 'pg';", fenced: /SQL lives in the data layer/ },
  { file: 'control-plane/src/hub/hub.ts', line: "import { quotedTenantSchema } from '../tenancy/schema-name.js';", fenced: /SQL lives in the data layer/ },
  { file: 'control-plane/src/admin-api/entity-router.ts', line: "import type { Pool } from 'pg';", fenced: null },
  { file: 'control-plane/src/http/errors.ts', line: "import { isUuid } from '../tenancy/schema-name.js';", fenced: null },
  { file: 'control-plane/src/server.ts', line: "import { startOperator } from '@novagate/operator';", fenced: /never imports the operator/ },
  // The hot path reaches no store.
  { file: 'gateway/src/proxy/proxy.ts', line: "import { connectToControlPlane } from '../sync/control-plane-client.js';", fenced: /hot path never reaches/ },
  { file: 'gateway/src/server/gateway-server.ts', line: "import pg from 'pg';", fenced: /hot path never reaches/ },
  { file: 'gateway/src/policies/jwt/jwt-policy.ts', line: "import { readConfigFile } from '../../standalone/config-file.js';", fenced: /hot path never reaches/ },
  { file: 'gateway/src/policies/rate-limit/redis-backend.ts', line: "import { RespClient } from '../../redis/resp-client.js';", fenced: null },
  { file: 'gateway/src/upstream/service-pool.ts', line: "import { startControlPlaneClient } from '../sync/control-plane-client.js';", fenced: /hot path never reaches/ },
  { file: 'gateway/src/upstream/service-pool.ts', line: "import { startOperator } from '@novagate/operator';", fenced: /hot path never reaches/ },
  // The gateway stands alone.
  { file: 'gateway/src/sync/control-plane-client.ts', line: "import { sha256Hex } from '@novagate/control-plane/tenancy';", fenced: /imports neither the control plane nor the operator/ },
  { file: 'gateway/src/main.ts', line: "import { startOperator } from '@novagate/operator';", fenced: /imports neither/ },
  // The operator writes through the data layer.
  { file: 'operator/src/controllers/tenant/tenant-controller.ts', line: "import { provisionTenant } from '@novagate/control-plane/tenancy';", fenced: null },
  { file: 'operator/src/controllers/tenant/tenant-controller.ts', line: "import { startTestServer } from '@novagate/control-plane/testing/server';", fenced: /writes through the data layer/ },
  { file: 'operator/src/operator.ts', line: "import Fastify from 'fastify';", fenced: /writes through the data layer/ },
  { file: 'operator/src/operator.ts', line: "import pg from 'pg';", fenced: /runs no SQL of its own/ },
  { file: 'operator/src/controllers/config-sync/config-sync.ts', line: "import { Pool } from 'pg';", fenced: /runs no SQL of its own/ },
  { file: 'operator/src/operator.ts', line: "import type { Pool } from 'pg';", fenced: null },
  { file: 'operator/src/controllers/config-sync/config-sync.test.ts', line: "import pg from 'pg';", fenced: null },
  // Tests may cross a fence (a test starts a control plane to prove a gateway behaviour).
  { file: 'control-plane/src/tenancy/tenant-roles.test.ts', line: "import { startTestServer } from '../testing/server.js';", fenced: null },
];

for (const { file, line, fenced } of cases) {
  test(`${fenced === null ? 'allowed' : 'fenced'}: ${line} in ${file}`, async () => {
    const errors = await fenceErrors(file, line);
    if (fenced === null) assert.deepEqual(errors, []);
    else {
      assert.equal(errors.length, 1, `expected one fence error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, fenced);
    }
  });
}
