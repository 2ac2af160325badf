import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quotedTenantSchema, tenantSchemaName, uuidLiteral } from './schema-name.js';

test('a tenant schema name is tenant_ and the UUID with underscores', () => {
  assert.equal(
    tenantSchemaName('0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f'),
    'tenant_0b7c1f3e_8d2a_4c1b_9e3f_5a6b7c8d9e0f',
  );
  assert.equal(quotedTenantSchema('0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f'), '"tenant_0b7c1f3e_8d2a_4c1b_9e3f_5a6b7c8d9e0f"');
});

test('anything but a lower-case UUID is refused before it can reach SQL', () => {
  for (const bad of ['', 'x', '0B7C1F3E-8D2A-4C1B-9E3F-5A6B7C8D9E0F', '0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f"; drop schema public;--']) {
    assert.throws(() => tenantSchemaName(bad), /lower-case UUID/);
  }
});

test('a UUID literal is only ever a quoted lower-case UUID', () => {
  assert.equal(uuidLiteral('0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f'), "'0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f'");
  for (const bad of ['', "0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f' OR '1'='1", '0B7C1F3E-8D2A-4C1B-9E3F-5A6B7C8D9E0F']) {
    assert.throws(() => uuidLiteral(bad), /lower-case UUID/);
  }
});
