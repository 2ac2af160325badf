// A URL's path parameter as an entity ref (tenancy/entity-ref.ts): a UUID-shaped value is an id, a valid
// entity name a name, anything else 400.
import { ENTITY_NAME_PATTERN } from '@novagate/gateway/config';
import { ApiError } from '../http/errors.js';
import { isUuidShaped, type EntityRef } from '../tenancy/entity-ref.js';

/** The path parameter `field` as an id or a name; 400 naming the field when it can be neither. */
export function parseEntityRef(value: string | undefined, field: string): EntityRef {
  if (value !== undefined && isUuidShaped(value)) return { by: 'id', id: value.toLowerCase() };
  if (value === undefined || !ENTITY_NAME_PATTERN.test(value)) {
    const message = "must be a UUID or a name of 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit";
    throw new ApiError(400, 'validation_failed', `${field} ${message}`, [{ path: field, message }]);
  }
  return { by: 'name', name: value };
}
