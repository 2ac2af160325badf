// Lint configuration for every workspace: typescript-eslint's recommended, type-aware rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Architecture fences (README "Architecture"): which module may import which. Breaking one fails `npm run lint`,
// and so `npm test`; e2e/src/architecture/fences.test.ts proves each one bites. Tests and test helpers may cross
// them (a test starts a control plane to prove a gateway behaviour). The files of the blocks below are disjoint,
// because a later block's options for the same rule replace an earlier block's.
const FASTIFY = ['fastify', 'fastify/*', '@fastify/*'];
const CONTROL_PLANE_PACKAGE = ['@novagate/control-plane', '@novagate/control-plane/*'];
const OPERATOR_PACKAGE = ['@novagate/operator', '@novagate/operator/*'];
const TESTS = ['**/*.test.ts', '**/testing/**', '**/bench/**'];

const DATA_LAYER_KNOWS_NO_HTTP = {
  group: [...FASTIFY, '**/http/*', '**/admin-api/*', '**/hub/*', '**/auth/*', '**/server.js', '**/main.js', ...OPERATOR_PACKAGE],
  message: 'the data layer (control-plane/src/tenancy, db) knows no HTTP, admin API, hub or auth: they call it, never the reverse',
};
const SQL_MESSAGE = 'SQL lives in the data layer (control-plane/src/tenancy): call one of its functions instead';
const SQL_LIVES_IN_THE_DATA_LAYER = [
  { group: ['pg', '**/tenant-pipeline.js'], allowTypeImports: true, message: SQL_MESSAGE },
  { group: ['**/schema-name.js'], importNames: ['quotedTenantSchema', 'tenantSchemaName'], message: SQL_MESSAGE },
];
const CONTROL_PLANE_NEEDS_NO_OPERATOR = { group: OPERATOR_PACKAGE, message: 'the control plane never imports the operator' };
const HOT_PATH_REACHES_NO_STORE = {
  group: ['**/sync/*', '**/standalone/*', 'pg', 'pg/*', 'ws', ...CONTROL_PLANE_PACKAGE, ...OPERATOR_PACKAGE],
  message: 'the request hot path never reaches a database, the control plane or the sync client: config reaches it compiled, through the pipeline',
};
const GATEWAY_STANDS_ALONE = {
  group: [...CONTROL_PLANE_PACKAGE, ...OPERATOR_PACKAGE],
  message: 'the gateway is the data plane customers run: it imports neither the control plane nor the operator',
};
const OPERATOR_WRITES_THROUGH_THE_DATA_LAYER = [
  {
    regex: '^(fastify|@fastify/.*|@novagate/control-plane(?!/tenancy$)(/.*)?)$',
    message: 'the operator writes through the data layer (@novagate/control-plane/tenancy), never through the admin API or HTTP modules',
  },
  {
    group: ['pg', 'pg/*'],
    allowTypeImports: true,
    message: 'the operator runs no SQL of its own: it calls a function of the data layer (@novagate/control-plane/tenancy); pg only as types',
  },
];
const fence = (files, ...patterns) => ({
  files,
  ignores: TESTS,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});
const architectureFences = [
  fence(['control-plane/src/{tenancy,db}/**/*.ts'], DATA_LAYER_KNOWS_NO_HTTP),
  fence(['control-plane/src/{admin-api,auth,http,hub}/**/*.ts'], ...SQL_LIVES_IN_THE_DATA_LAYER, CONTROL_PLANE_NEEDS_NO_OPERATOR),
  fence(['control-plane/src/*.ts', 'control-plane/src/{redis,telemetry,tls}/**/*.ts'], CONTROL_PLANE_NEEDS_NO_OPERATOR),
  fence(['gateway/src/{pipeline,policies,routing,proxy,server,upstream}/**/*.ts'], HOT_PATH_REACHES_NO_STORE),
  fence(['gateway/src/*.ts', 'gateway/src/!(pipeline|policies|routing|proxy|server|upstream)/**/*.ts'], GATEWAY_STANDS_ALONE),
  fence(['operator/src/**/*.ts'], ...OPERATOR_WRITES_THROUGH_THE_DATA_LAYER),
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.dev/**', 'hack/tools/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['hack/*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...architectureFences,
);
