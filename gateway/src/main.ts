// The gateway process: reads and validates the environment (environment.ts, the only module that does), then
// runs the gateway it describes (serve-gateway.ts: the config store, the policies' backends, telemetry and the
// servers, as one process or as a node:cluster of WORKERS). The servers' modules are loaded only once the
// environment passed, so a refusal costs no more than reading it.
import { loadEnvironment } from './environment.js';

const env = loadEnvironment(process.env);
const { serveGateway } = await import('./serve-gateway.js');
await serveGateway(env);
