// `npm run dev:cluster`: the test API server on a fixed port for trying CRDs and the operator with kubectl, no cluster needed.
// The only module that reads the environment: KUBE_API_PORT (default 6443) and KUBE_API_DIR (default <repo>/.dev/kube-api).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startKubeApiServer } from './index.js';

const port = Number(process.env.KUBE_API_PORT ?? '6443');
// src/kube-api/main.ts and dist/kube-api/main.js both sit three folders below the repository root.
const kubeconfigDir = process.env.KUBE_API_DIR ?? fileURLToPath(new URL('../../../.dev/kube-api', import.meta.url));
await mkdir(kubeconfigDir, { recursive: true });
const server = await startKubeApiServer({ port, kubeconfigDir });
console.log(`NovaGate kube-api: a test and development Kubernetes API server (not Kubernetes), serving ${server.url}`);
console.log('State lives in memory and is gone when this process stops. Ctrl-C to stop.');
console.log(`export KUBECONFIG=${server.kubeconfigPath}`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
