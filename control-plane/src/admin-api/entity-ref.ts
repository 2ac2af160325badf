// How a URL addresses a service, route or consumer: by id or by name (Kong's convention). A UUID-shaped value
// is an id, anything else a name; unambiguous because a UUID-shaped name is refused when an object is named.
import { ENTITY_NAME_PATTERN } from '@novagate/gateway/config';
import { ApiError } from '../http/errors.js';

export type EntityRef = { by: 'id'; id: string } | { by: 'name'; name: string };

/** Any case: `GET /routes/0A1B…` must not be looked up as a name either. */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuidShaped(value: string): boolean {
  return UUID_SHAPE.test(value);
}

export const UUID_SHAPED_NAME_MESSAGE = 'must not be shaped like a UUID (a UUID in a URL addresses an id)';

/** The path parameter `field` as an id or a name; 400 naming the field when it can be neither. */
export function parseEntityRef(value: string | undefined, field: string): EntityRef {
  if (value !== undefined && isUuidShaped(value)) return { by: 'id', id: value.toLowerCase() };
  if (value === undefined || !ENTITY_NAME_PATTERN.test(value)) {
    const message = "must be a UUID or a name of 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit";
    throw new ApiError(400, 'validation_failed', `${field} ${message}`, [{ path: field, message }]);
  }
  return { by: 'name', name: value };
}

/** How a ref reads in a message: `route 'hello'` or `route '2f…'`. */
export function describeRef(singular: string, ref: EntityRef): string {
  return `${singular} '${ref.by === 'id' ? ref.id : ref.name}'`;
}
