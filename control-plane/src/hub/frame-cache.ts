// The per-version config frame cache: each served tenant's newest config version, serialised once
// (protocol.ts encodeConfigFrame) and shared by every connection of the tenant whose key is not bound; for keys
// bound to a Gateway, that Gateway's slice of the version (DESIGN §11), built and serialised once per version and
// Gateway when a connection first needs it (the parsed snapshot it is cut from is kept only while a connection of
// the tenant here is bound). A refresh loads the newest version once however many notifications arrive meanwhile,
// and tells `loaded` to push.
import type { Logger } from 'winston';
import type { Counter, Histogram } from 'prom-client';
import { encodeConfigFrame, type ConfigFrame } from '@novagate/gateway/protocol';
import type { ConfigVersionId } from './push-decision.js';
import { errorMessage } from './error-message.js';

/** A tenant's newest version as the database has it; `config` null when it is the version already known. */
export type NewestConfig = (ConfigVersionId & { config: unknown }) | null;

export interface FrameCacheOptions {
  /** Reads the tenant's newest version, its snapshot only when it is not `known`. */
  newest(tenantId: string, known: ConfigVersionId | null): Promise<NewestConfig>;
  /** Whether this replica still serves the tenant (has connections of it): a refresh of one it does not is a no-op. */
  serves(tenantId: string): boolean;
  /**
   * The config as a gateway receives it, made from the stored snapshot when the frame is built (pushed certificate
   * keys opened: DESIGN §10 "Private keys"); the result lives only in the frame, in memory. Throws when it cannot.
   */
  reveal(tenantId: string, config: unknown): unknown;
  /** One Gateway's slice of a stored snapshot and the hash of the slice (what a gateway running it acks). */
  slice(config: unknown, gatewayOwner: string): { config: unknown; hash: string };
  /** Whether a connection of the tenant here is bound to a Gateway: only then is the parsed snapshot kept for slicing. */
  slicesWanted(tenantId: string): boolean;
  /** Called after each refresh round that leaves the tenant a frame, to push the newest frames. */
  loaded(tenantId: string): void;
  maxConfigBytes: number;
  logger: Logger;
  metrics: { snapshotBytes: Histogram; pushFailures: Counter };
}

export interface CachedFrame {
  frame: ConfigFrame;
  /** When this replica learned of the frame's version, for the push-latency metric. */
  since: number;
}

export interface FrameCache {
  /** The tenant's newest frame known here (its whole config), or null. */
  current(tenantId: string): CachedFrame | null;
  /**
   * The newest frame a connection of the tenant is due: the whole config's (`gatewayOwner` null), or the slice of
   * the Gateway its key is bound to (same version, the slice's hash). Null when no version is known here or the
   * slice cannot be sent (too big, or its keys cannot be opened: counted and logged once per version).
   */
  frameFor(tenantId: string, gatewayOwner: string | null): ConfigFrame | null;
  /**
   * Loads the tenant's newest version and hands it to `loaded`. A call during a refresh asks for one more
   * round and resolves when the refresh, that round included, ends, with the frame the refresh leaves (null:
   * none, or the tenant is not served here). Never rejects (failures are counted and logged). With `snapshot`,
   * the snapshot is read even when its version is known here (a connection bound to a Gateway needs it sliced).
   */
  refresh(tenantId: string, options?: { snapshot?: boolean }): Promise<ConfigFrame | null>;
  /** Drops the tenant's frame (its last connection here left); a refresh in flight goes on unseen. */
  forget(tenantId: string): void;
}

interface TenantFrames {
  frame: ConfigFrame | null;
  /** The stored snapshot of `frame`'s version, which slices are cut from; null unless slicesWanted when it was read. */
  config: unknown;
  /** The next round reads the snapshot even if its version is known here. */
  snapshotWanted: boolean;
  /** The slices of `frame`'s version built so far, by Gateway (null: it could not be sent). */
  slices: Map<string, ConfigFrame | null>;
  since: number;
  /** The refresh in flight: later callers wait for it (a hello must see the frame it loads). */
  refreshing: Promise<ConfigFrame | null> | null;
  refreshAgain: boolean;
}

export function createFrameCache(options: FrameCacheOptions): FrameCache {
  const { logger, metrics } = options;
  const tenants = new Map<string, TenantFrames>();

  function stateOf(tenantId: string): TenantFrames {
    let state = tenants.get(tenantId);
    if (state === undefined) {
      state = { frame: null, config: null, snapshotWanted: false, slices: new Map(), since: Date.now(), refreshing: null, refreshAgain: false };
      tenants.set(tenantId, state);
    }
    return state;
  }

  async function load(tenantId: string, state: TenantFrames): Promise<ConfigFrame | null> {
    await Promise.resolve(); // the body runs after `state.refreshing` is set, whatever it throws
    try {
      do {
        state.refreshAgain = false;
        const known = state.snapshotWanted ? null : state.frame;
        state.snapshotWanted = false;
        const latest = await options.newest(tenantId, known);
        if (latest === null) break;
        if (latest.config !== null) {
          // The version known here, read again for its snapshot, keeps its frame and the slices built so far.
          const sameVersion = state.frame !== null && state.frame.version === latest.version && state.frame.hash === latest.hash;
          if (!sameVersion) {
            const frame = encodeConfigFrame(latest.version, latest.hash, options.reveal(tenantId, latest.config));
            metrics.snapshotBytes.observe(frame.bytes);
            if (frame.bytes > options.maxConfigBytes) {
              metrics.pushFailures.inc();
              logger.error('config snapshot exceeds MAX_CONFIG_BYTES; not pushed', { tenantId, version: latest.version, bytes: frame.bytes });
              break;
            }
            state.frame = frame;
            state.slices = new Map();
            state.since = Date.now();
          }
          state.config = options.slicesWanted(tenantId) ? latest.config : null;
        }
        // A tenant forgotten meanwhile has no connections left to push to.
        if (state.frame !== null && tenants.get(tenantId) === state) options.loaded(tenantId);
      } while (state.refreshAgain);
    } catch (error) {
      metrics.pushFailures.inc();
      logger.warn('config refresh failed', { tenantId, error: errorMessage(error) });
    } finally {
      state.refreshing = null;
    }
    return state.frame;
  }

  function sliceFrame(tenantId: string, state: TenantFrames & { frame: ConfigFrame }, gatewayOwner: string): ConfigFrame | null {
    const { version } = state.frame;
    try {
      const slice = options.slice(state.config, gatewayOwner);
      const frame = encodeConfigFrame(version, slice.hash, options.reveal(tenantId, slice.config));
      metrics.snapshotBytes.observe(frame.bytes);
      if (frame.bytes <= options.maxConfigBytes) return frame;
      logger.error("a Gateway's config slice exceeds MAX_CONFIG_BYTES; not pushed", { tenantId, gatewayOwner, version, bytes: frame.bytes });
    } catch (error) {
      logger.warn("a Gateway's config slice could not be built", { tenantId, gatewayOwner, version, error: errorMessage(error) });
    }
    metrics.pushFailures.inc();
    return null;
  }

  return {
    current(tenantId) {
      const state = tenants.get(tenantId);
      return state === undefined || state.frame === null ? null : { frame: state.frame, since: state.since };
    },
    frameFor(tenantId, gatewayOwner) {
      const state = tenants.get(tenantId);
      if (state === undefined || state.frame === null) return null;
      if (gatewayOwner === null) return state.frame;
      let frame = state.slices.get(gatewayOwner);
      if (frame !== undefined) return frame;
      // Not kept (no bound connection when the version was read): the caller refreshes with `snapshot`.
      if (state.config === null) return null;
      state.slices.set(gatewayOwner, (frame = sliceFrame(tenantId, state as TenantFrames & { frame: ConfigFrame }, gatewayOwner)));
      return frame;
    },
    refresh(tenantId, refreshOptions = {}) {
      if (!options.serves(tenantId)) return Promise.resolve(null);
      const state = stateOf(tenantId);
      if (refreshOptions.snapshot === true) state.snapshotWanted = true;
      if (state.refreshing !== null) {
        state.refreshAgain = true;
        return state.refreshing;
      }
      const refreshing = load(tenantId, state);
      state.refreshing = refreshing;
      return refreshing;
    },
    forget(tenantId) {
      tenants.delete(tenantId);
    },
  };
}
