// Builds a tenant's gateway config snapshot (DESIGN §4) from its service, route, consumer and certificate rows.
import type { ConsumerConfig, ListenerConfig, RateLimitConfig, RouteConfig, RouteRateLimitConfig, ServiceConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import type { StoredCertificate, StoredConfig } from './certificate-snapshot.js';
import { quotedTenantSchema } from './schema-name.js';
import { pathsFromColumn } from './path-column.js';

/** The fields of a config object kept in its `options` column (every field without a column of its own). */
export type ConfigOptions = Record<string, unknown>;

/** The fields of `config` not held in `columns`: what the row's `options` column stores. */
export function optionsOf(config: object, columns: ReadonlySet<string>): ConfigOptions {
  const options: ConfigOptions = {};
  for (const [key, value] of Object.entries(config)) if (!columns.has(key) && value !== undefined) options[key] = value;
  return options;
}

/** Service fields with a column of their own; every other field of a service lives in `options`. */
export const SERVICE_COLUMN_FIELDS: ReadonlySet<string> = new Set(['name', 'url', 'connectTimeoutMs', 'timeoutMs', 'retries', 'http2']);
/** Consumer fields with a column of their own. */
export const CONSUMER_COLUMN_FIELDS: ReadonlySet<string> = new Set(['username', 'apiKeyHashes', 'jwtSubject', 'rateLimit']);
/** Route fields with a column of their own (`service` through service_id, null for a route without one). */
export const ROUTE_COLUMN_FIELDS: ReadonlySet<string> = new Set(['name', 'service', 'paths', 'methods', 'hosts', 'stripPrefix', 'auth', 'rateLimit', 'caseInsensitive']);

export interface ServiceRow {
  id: string;
  name: string;
  url: string | null;
  connect_timeout_ms: number;
  timeout_ms: number;
  retries: number;
  http2: boolean;
  options: ConfigOptions;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

export interface RouteRow {
  id: string;
  name: string;
  /** Null for a route without `service` (backends, a redirect, or none: DESIGN §10). */
  service_name: string | null;
  paths: string[];
  methods: string[];
  hosts: string[];
  strip_prefix: boolean;
  case_insensitive: boolean;
  auth: RouteConfig['auth'];
  rate_limit: RouteRateLimitConfig | null;
  options: ConfigOptions;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

export interface ConsumerRow {
  id: string;
  username: string;
  api_key_hashes: string[];
  jwt_subject: string | null;
  rate_limit: RateLimitConfig | null;
  options: ConfigOptions;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

export interface ListenerRow {
  id: string;
  name: string;
  spec: ListenerConfig;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

/** The columns a snapshot needs (the admin API's rows carry more: ids, owner, timestamps). */
export type ServiceConfigColumns = Pick<ServiceRow, 'name' | 'url' | 'connect_timeout_ms' | 'timeout_ms' | 'retries' | 'http2' | 'options'>;
export type RouteConfigColumns = Pick<RouteRow, 'name' | 'service_name' | 'paths' | 'methods' | 'hosts' | 'strip_prefix' | 'case_insensitive' | 'auth' | 'rate_limit' | 'options'>;
export type ConsumerConfigColumns = Pick<ConsumerRow, 'username' | 'api_key_hashes' | 'jwt_subject' | 'rate_limit' | 'options'>;

export function serviceConfigOf(row: ServiceConfigColumns): ServiceConfig {
  const service: ServiceConfig = {
    ...(row.options as Partial<ServiceConfig>),
    name: row.name,
    connectTimeoutMs: row.connect_timeout_ms,
    timeoutMs: row.timeout_ms,
    retries: row.retries,
  };
  // `url` is absent when the service lists `targets` (DESIGN §10).
  if (row.url !== null) service.url = row.url;
  // Only when true: a snapshot leaves out every field at its default (DESIGN §10 Compatibility).
  if (row.http2) service.http2 = true;
  return service;
}

export function routeConfigOf(row: RouteConfigColumns): RouteConfig {
  const route: RouteConfig = {
    ...(row.options as Partial<RouteConfig>),
    name: row.name,
    // Absent on a route without one (DESIGN §10): left out, never null; in its old place among the keys.
    ...(row.service_name === null ? {} : { service: row.service_name }),
    paths: pathsFromColumn(row.paths),
    methods: row.methods as RouteConfig['methods'],
    hosts: row.hosts,
    stripPrefix: row.strip_prefix,
    auth: row.auth,
  };
  if (row.rate_limit !== null) route.rateLimit = row.rate_limit;
  // Only when true: a snapshot leaves out every field at its default (DESIGN §10 Compatibility).
  if (row.case_insensitive) route.caseInsensitive = true;
  return route;
}

export function consumerConfigOf(row: ConsumerConfigColumns): ConsumerConfig {
  const consumer: ConsumerConfig = { ...(row.options as Partial<ConsumerConfig>), username: row.username, apiKeyHashes: row.api_key_hashes };
  if (row.jwt_subject !== null) consumer.jwtSubject = row.jwt_subject;
  if (row.rate_limit !== null) consumer.rateLimit = row.rate_limit;
  return consumer;
}

export function listenerConfigOf(row: Pick<ListenerRow, 'spec'>): ListenerConfig {
  return row.spec;
}

/** ISO-8601 UTC text made by PostgreSQL: lists skip parsing a Date per cell only to print it again. */
const isoTimestamps = (alias: string) =>
  `to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, ` +
  `to_char(${alias}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`;

export const SERVICE_COLUMNS = `s.id, s.name, s.url, s.connect_timeout_ms, s.timeout_ms, s.retries, s.http2, s.options, s.managed_by, ${isoTimestamps('s')}`;
export const ROUTE_COLUMNS = `r.id, r.name, s.name AS service_name, r.paths, r.methods, r.hosts, r.strip_prefix, r.case_insensitive, r.auth, r.rate_limit, r.options, r.managed_by, r.position, ${isoTimestamps('r')}`;
export const LISTENER_COLUMNS = `l.id, l.name, l.spec, l.managed_by, ${isoTimestamps('l')}`;
export const CONSUMER_COLUMNS = `c.id, c.username, c.api_key_hashes, c.jwt_subject, c.rate_limit, c.options, c.managed_by, ${isoTimestamps('c')}`;

export function selectServices(tenantId: string): string {
  return `SELECT ${SERVICE_COLUMNS} FROM ${quotedTenantSchema(tenantId)}.services s`;
}
export function selectRoutes(tenantId: string): string {
  const schema = quotedTenantSchema(tenantId);
  return `SELECT ${ROUTE_COLUMNS} FROM ${schema}.routes r LEFT JOIN ${schema}.services s ON s.id = r.service_id`;
}
export function selectListeners(tenantId: string): string {
  return `SELECT ${LISTENER_COLUMNS} FROM ${quotedTenantSchema(tenantId)}.listeners l`;
}
export function selectConsumers(tenantId: string): string {
  return `SELECT ${CONSUMER_COLUMNS} FROM ${quotedTenantSchema(tenantId)}.consumers c`;
}

export interface SnapshotLists {
  services: ServiceConfigColumns[];
  routes: RouteConfigColumns[];
  consumers: ConsumerConfigColumns[];
  /** The key columns are null for a CA bundle. */
  certificates: { name: string; cert_pem: string; key_sha256: string | null; key_sealed: string | null }[];
  listeners: Pick<ListenerRow, 'spec'>[];
}

/**
 * Select-list columns `services`, `routes` and `consumers`: the three lists as JSON, in snapshot order, with only
 * the columns a snapshot holds. Every config write runs this in its transaction; ids and the formatted
 * timestamps of the admin API's rows made it three times slower on a tenant with 1,000 services.
 */
export function snapshotListColumns(tenantId: string): string {
  const schema = quotedTenantSchema(tenantId);
  return `(SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (
         SELECT s.name, s.url, s.connect_timeout_ms, s.timeout_ms, s.retries, s.http2, s.options FROM ${schema}.services s) x) AS services,
       (SELECT coalesce(json_agg(x ORDER BY x.position, x.name), '[]') FROM (
         SELECT r.name, s.name AS service_name, r.paths, r.methods, r.hosts, r.strip_prefix, r.case_insensitive, r.auth, r.rate_limit, r.options, r.position
           FROM ${schema}.routes r LEFT JOIN ${schema}.services s ON s.id = r.service_id) x) AS routes,
       (SELECT coalesce(json_agg(x ORDER BY x.username), '[]') FROM (
         SELECT c.username, c.api_key_hashes, c.jwt_subject, c.rate_limit, c.options FROM ${schema}.consumers c) x) AS consumers,
       (SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (
         SELECT t.name, t.cert_pem, t.key_sha256, t.key_sealed FROM ${schema}.certificates t) x) AS certificates,
       (SELECT coalesce(json_agg(x ORDER BY x.name), '[]') FROM (
         SELECT l.name, l.spec FROM ${schema}.listeners l) x) AS listeners`;
}

/**
 * The config as stored for the gateway: services, consumers and certificates by name, routes in order, each
 * certificate's key sealed (certificate-snapshot.ts). `listeners` and `certificates` only when there are some,
 * so a tenant without any keeps a byte-identical snapshot (DESIGN §10 Compatibility).
 */
export function snapshotOf(lists: SnapshotLists): StoredConfig {
  const config: StoredConfig = {
    services: lists.services.map(serviceConfigOf),
    routes: lists.routes.map(routeConfigOf),
    consumers: lists.consumers.map(consumerConfigOf),
  };
  if (lists.listeners.length > 0) config.listeners = lists.listeners.map(listenerConfigOf);
  if (lists.certificates.length > 0) config.certificates = lists.certificates.map(storedCertificateOf);
  return config;
}

/** A CA bundle (no key) leaves `key` out. */
function storedCertificateOf(row: SnapshotLists['certificates'][number]): StoredCertificate {
  if (row.key_sha256 === null || row.key_sealed === null) return { name: row.name, cert: row.cert_pem };
  return { name: row.name, cert: row.cert_pem, key: { sha256: row.key_sha256, sealed: row.key_sealed } };
}

/** The tenant's current config as stored for the gateway. */
export async function buildSnapshot(db: Queryable, tenantId: string): Promise<StoredConfig> {
  // One round trip for the three lists.
  const { rows } = await db.query<SnapshotLists>(`SELECT ${snapshotListColumns(tenantId)}`);
  return snapshotOf(rows[0] as SnapshotLists);
}
