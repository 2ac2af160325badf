// What /readyz answers for one gateway process: ready once a config is applied, the gateway is not draining and
// the config leaves it at least one listener to serve (a GATEWAY_NAME gateway whose Gateway's listeners are not
// written yet has no open port, so nothing should send it traffic).
export interface ReadinessInput {
  /** The applied config, if any: its version and the listeners this gateway serves from it. */
  current: { version: number; listeners: readonly unknown[] } | undefined;
  draining: boolean;
}

export function gatewayReadiness(input: ReadinessInput): { ready: boolean; detail: { configVersion: number; listeners: number; draining: boolean } } {
  const listeners = input.current?.listeners.length ?? 0;
  return {
    ready: input.current !== undefined && listeners > 0 && !input.draining,
    detail: { configVersion: input.current?.version ?? 0, listeners, draining: input.draining },
  };
}
