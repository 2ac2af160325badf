// A stand-in operator for local-provisioner.test.ts: starts one gateway process through the local provisioner,
// prints its pid, and exits without stopping it; the provisioner's exit hook must take the process with it.
import { createLogger } from '@novagate/operator';
import { createLocalProvisioner } from '@novagate/operator/provisioner';

const provisioner = createLocalProvisioner({
  controlPlaneUrl: process.env.CONTROL_PLANE_URL ?? '',
  allowInsecureControlPlane: true,
  logDir: process.env.LOG_DIR ?? '',
  log: createLogger('error'),
});
await provisioner.ensure(
  { metadata: { namespace: 'infra', name: 'exiting' }, spec: { listeners: [] } },
  { apiKey: process.env.GATEWAY_API_KEY ?? '', gatewayName: 'infra/exiting' },
);
process.stdout.write(`gateway pid ${provisioner.processOf('infra/exiting')?.pid}\n`);
await new Promise((resolve) => setTimeout(resolve, 500));
process.exit(0);
