// `npm run dev:cluster`: the test API server on a fixed port for trying CRDs and the operator with kubectl, no cluster needed.
import { startKubeApiServer } from './index.js';

const port = Number(process.env.KUBE_API_PORT ?? '6443');
const kubeconfigDir = process.env.KUBE_API_DIR;
const server = await startKubeApiServer({ port, ...(kubeconfigDir ? { kubeconfigDir } : {}) });
console.log(`NovaGate kube-api (a test and development API server, not Kubernetes) is serving ${server.url}`);
console.log(`export KUBECONFIG=${server.kubeconfigPath}`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
