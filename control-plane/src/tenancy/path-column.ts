// The `paths text[]` column holds §4 strings as they are and DESIGN §10's typed paths as JSON text. A §4 path
// always starts with '/', so an entry starting with '{' is a typed path: no migration, old rows read as before.
import type { RouteConfig } from '@novagate/gateway/config';

type RoutePath = RouteConfig['paths'][number];

export function pathsToColumn(paths: readonly RoutePath[]): string[] {
  return paths.map((path) => (typeof path === 'string' ? path : JSON.stringify({ type: path.type, value: path.value })));
}

export function pathsFromColumn(column: readonly string[]): RoutePath[] {
  return column.map((entry) => (entry.startsWith('{') ? (JSON.parse(entry) as RoutePath) : entry));
}
