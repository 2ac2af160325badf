// The cluster provisioner (DESIGN §11): per Gateway a Deployment and a Service (and, with a control plane CA, a
// ConfigMap holding it) in the Gateway's namespace, owned by the Gateway so garbage collection removes them.
// Applied with server-side apply (field manager novagate-operator): an unchanged spec changes nothing; a changed
// one (GatewayParameters, listeners, key) updates the objects. status.addresses come from the Service.
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../kube/resources.js';
import {
  dataPlaneName,
  desiredCaConfigMap,
  desiredDeployment,
  desiredService,
  serviceAddresses,
  type DataPlaneDefaults,
  type GatewayParametersSpec,
  type KubeManifest,
  type ServiceView,
} from './cluster-objects.js';
import type { GatewayProvisioner, ProvisionedGateway } from './provisioner.js';

export const FIELD_MANAGER = 'novagate-operator';

export interface ClusterProvisionerOptions {
  kubeConfig: KubeConfig;
  defaults: DataPlaneDefaults;
  /** The control plane's gateway URL as seen from the Gateways' pods. */
  controlPlaneUrl: string;
  /** The control plane's CA (PEM), copied into each Gateway's namespace; absent: the system roots. */
  controlPlaneCaPem?: string;
}

/** Why a Gateway's parametersRef cannot be used (the Gateway controller can report it). */
export class InvalidParametersError extends Error {}

const applyPatch = () => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function createClusterProvisioner(options: ClusterProvisionerOptions): GatewayProvisioner {
  const apps = options.kubeConfig.makeApiClient(AppsV1Api);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const apply = { fieldManager: FIELD_MANAGER, force: true };

  async function parametersOf(gateway: ProvisionedGateway): Promise<GatewayParametersSpec | undefined> {
    const ref = gateway.spec.infrastructure?.parametersRef;
    if (ref === undefined) return undefined;
    if (ref.group !== GROUP || ref.kind !== 'GatewayParameters') {
      throw new InvalidParametersError(`spec.infrastructure.parametersRef must name a ${GROUP} GatewayParameters, not ${ref.group}/${ref.kind}`);
    }
    try {
      const found = (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: 'gatewayparameters', namespace: gateway.metadata.namespace ?? 'default', name: ref.name })) as {
        spec?: GatewayParametersSpec;
      };
      return found.spec ?? {};
    } catch (error) {
      if (isNotFound(error)) throw new InvalidParametersError(`GatewayParameters ${ref.name} not found in namespace ${gateway.metadata.namespace ?? 'default'}`);
      throw error;
    }
  }

  return {
    async ensure(gateway, { apiKey, gatewayName }) {
      if (gateway.metadata.uid === undefined || gateway.metadata.uid === '') throw new Error('the Gateway has no uid: it cannot own its data plane');
      const parameters = await parametersOf(gateway);
      const namespace = gateway.metadata.namespace ?? 'default';
      const withCa = options.controlPlaneCaPem !== undefined && options.controlPlaneCaPem !== '';
      if (withCa) {
        const configMap = desiredCaConfigMap(gateway, options.controlPlaneCaPem ?? '');
        await core.patchNamespacedConfigMap({ name: configMap.metadata.name, namespace, body: configMap, ...apply }, applyPatch());
      }
      const deployment: KubeManifest = desiredDeployment(gateway, options.defaults, parameters, { controlPlaneUrl: options.controlPlaneUrl, controlPlaneCa: withCa, apiKey, gatewayName });
      await apps.patchNamespacedDeployment({ name: deployment.metadata.name, namespace, body: deployment, ...apply }, applyPatch());
      const service = desiredService(gateway, options.defaults, parameters);
      const applied = (await core.patchNamespacedService({ name: service.metadata.name, namespace, body: service, ...apply }, applyPatch())) as ServiceView;
      return { addresses: serviceAddresses(applied) };
    },
    async release(gateway) {
      const namespace = gateway.metadata.namespace ?? 'default';
      const name = dataPlaneName(gateway.metadata.name);
      const ignoreMissing = (error: unknown) => {
        if (!isNotFound(error)) throw error;
      };
      await apps.deleteNamespacedDeployment({ name, namespace }).catch(ignoreMissing);
      await core.deleteNamespacedService({ name, namespace }).catch(ignoreMissing);
      await core.deleteNamespacedConfigMap({ name: `${name}-ca`, namespace }).catch(ignoreMissing);
    },
  };
}
