// The cluster provisioner (DESIGN §11): per Gateway a Deployment and a Service (and, with a control plane CA, a
// ConfigMap holding it) in the Gateway's namespace, owned by the Gateway so garbage collection removes them.
// Applied with server-side apply (field manager novagate-operator): an unchanged spec changes nothing; a changed
// one (GatewayParameters, listeners, key) updates the objects. status.addresses come from the Service. An object of
// the same name the Gateway does not own (the chart's own gateway, another Gateway's) is never applied over nor
// deleted: ensure refuses (ProvisionRefusedError) and release leaves it; deletes carry the owned object's uid.
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
import { ProvisionRefusedError, type GatewayProvisioner, type ProvisionedGateway } from './provisioner.js';

export const FIELD_MANAGER = 'novagate-operator';

export interface ClusterProvisionerOptions {
  kubeConfig: KubeConfig;
  defaults: DataPlaneDefaults;
  /** The control plane's gateway URL as seen from the Gateways' pods. */
  controlPlaneUrl: string;
  /** The control plane's CA (PEM), copied into each Gateway's namespace; absent: the system roots. */
  controlPlaneCaPem?: string;
}

/** Why a Gateway's parametersRef cannot be used (the Gateway controller reports it). */
export class InvalidParametersError extends ProvisionRefusedError {}

interface ObjectMeta {
  metadata?: { uid?: string; ownerReferences?: { uid: string }[] };
}

/** The existing object's uid when the Gateway owns it; null when there is none; refused when someone else's. */
export function ownedObjectUid(existing: ObjectMeta | null, gateway: ProvisionedGateway, description: string): string | null {
  if (existing === null) return null;
  if ((existing.metadata?.ownerReferences ?? []).some((owner) => owner.uid === gateway.metadata.uid)) return existing.metadata?.uid ?? null;
  throw new ProvisionRefusedError(`${description} exists and is not owned by this Gateway; rename the Gateway or remove that object`);
}

const applyPatch = () => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function createClusterProvisioner(options: ClusterProvisionerOptions): GatewayProvisioner {
  const apps = options.kubeConfig.makeApiClient(AppsV1Api);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  // No force: a field another manager owns is a conflict, not silently taken over.
  const apply = { fieldManager: FIELD_MANAGER };

  /** The object, or null when it does not exist. */
  async function readOrNull<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The three objects of the Gateway's data plane: their kind and name, how to read and delete them. */
  function objectsOf(gateway: ProvisionedGateway) {
    const namespace = gateway.metadata.namespace ?? 'default';
    const name = dataPlaneName(gateway.metadata.name);
    const where = (kind: string, objectName: string) => `${kind} ${objectName} in namespace ${namespace}`;
    return [
      {
        kind: 'ConfigMap',
        description: where('ConfigMap', `${name}-ca`),
        read: () => core.readNamespacedConfigMap({ name: `${name}-ca`, namespace }),
        remove: (uid: string) => core.deleteNamespacedConfigMap({ name: `${name}-ca`, namespace, body: { preconditions: { uid } } }),
      },
      {
        kind: 'Deployment',
        description: where('Deployment', name),
        read: () => apps.readNamespacedDeployment({ name, namespace }),
        remove: (uid: string) => apps.deleteNamespacedDeployment({ name, namespace, body: { preconditions: { uid } } }),
      },
      {
        kind: 'Service',
        description: where('Service', name),
        read: () => core.readNamespacedService({ name, namespace }),
        remove: (uid: string) => core.deleteNamespacedService({ name, namespace, body: { preconditions: { uid } } }),
      },
    ];
  }

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
      // Before any write: every object of our name we would apply that exists must be this Gateway's.
      for (const object of objectsOf(gateway)) {
        if (object.kind !== 'ConfigMap' || withCa) ownedObjectUid(await readOrNull(object.read), gateway, object.description);
      }
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
      for (const object of objectsOf(gateway)) {
        let uid: string | null;
        try {
          uid = ownedObjectUid(await readOrNull(object.read), gateway, object.description);
        } catch (error) {
          if (error instanceof ProvisionRefusedError) continue; // someone else's: never ours to delete
          throw error;
        }
        if (uid === null) continue;
        // The uid precondition: an object re-created under the name meanwhile (not ours) is not deleted.
        await object.remove(uid).catch((error: unknown) => {
          if (!isNotFound(error) && !(error instanceof ApiException && error.code === 409)) throw error;
        });
      }
    },
  };
}
