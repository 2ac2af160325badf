// /readyz (DESIGN §3): ready while the database answers; the body names every dependency that does not. Redis
// down leaves the replica ready (its users fall back: throttling to memory, presence to gateway_nodes), so the
// answer is 200 {"status":"degraded","down":["redis"]}; the database down is 503.

export interface Dependency {
  name: string;
  /** Without it the replica cannot serve: 503. */
  required: boolean;
  /** Resolves true when the dependency answered. */
  check(): Promise<boolean>;
}

export interface Readiness {
  statusCode: 200 | 503;
  body: { status: 'ready' | 'degraded' | 'unavailable'; down?: string[] };
}

/** A check that has not answered within this is counted as down (a probe must not hang on a frozen peer). */
const CHECK_TIMEOUT_MS = 2_000;

function bounded(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check().catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

export async function readiness(dependencies: Dependency[]): Promise<Readiness> {
  const results = await Promise.all(dependencies.map(async (dependency) => ({ dependency, up: await bounded(() => dependency.check()) })));
  const down = results.filter((result) => !result.up).map((result) => result.dependency);
  if (down.length === 0) return { statusCode: 200, body: { status: 'ready' } };
  const names = down.map((dependency) => dependency.name);
  if (down.some((dependency) => dependency.required)) return { statusCode: 503, body: { status: 'unavailable', down: names } };
  return { statusCode: 200, body: { status: 'degraded', down: names } };
}
