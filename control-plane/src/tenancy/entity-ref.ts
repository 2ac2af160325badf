// How a service, route or consumer is addressed: by id or by name (Kong's convention). A UUID-shaped value is
// an id, anything else a name; unambiguous because a UUID-shaped name is refused when an object is named.
export type EntityRef = { by: 'id'; id: string } | { by: 'name'; name: string };

/** Any case: `GET /routes/0A1B…` must not be looked up as a name either. */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuidShaped(value: string): boolean {
  return UUID_SHAPE.test(value);
}

export const UUID_SHAPED_NAME_MESSAGE = 'must not be shaped like a UUID (a UUID in a URL addresses an id)';

/** How a ref reads in a message: `route 'hello'` or `route '2f…'`. */
export function describeRef(singular: string, ref: EntityRef): string {
  return `${singular} '${ref.by === 'id' ? ref.id : ref.name}'`;
}
