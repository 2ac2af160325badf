// The cluster provisioner's desired objects for one Gateway (pure): a Deployment running the gateway image and a
// Service mapping each listener's port to its bindPort, both owned by the Gateway, and the Gateway's addresses as
// read from that Service.
import { createHash } from 'node:crypto';
import type { GatewayAddress, ProvisionedGateway } from './provisioner.js';

export const DATA_PLANE_LABEL = 'app.kubernetes.io/name';
export const DATA_PLANE_LABEL_VALUE = 'novagate-gateway';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Changes with the gateway API key, so a new key rolls the pods. */
export const API_KEY_HASH_ANNOTATION = 'novagate.dev/gateway-api-key-hash';
const METRICS_PORT = 9100;
const PROXY_PORT = 8000;
const CA_MOUNT = '/etc/novagate/control-plane-ca';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ResourceRequirements {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** GatewayParameters.spec (novagate.dev/v1alpha1): every field optional. */
export interface GatewayParametersSpec {
  image?: string;
  replicas?: number;
  serviceType?: ServiceType;
  resources?: ResourceRequirements;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

/** The operator's defaults (the chart's gatewayApi.provisioner values) that GatewayParameters override. */
export interface DataPlaneDefaults {
  image: string;
  replicas: number;
  serviceType: ServiceType;
  resources: ResourceRequirements;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  logLevel?: string;
}

export interface DataPlaneSettings {
  controlPlaneUrl: string;
  /** Whether a ConfigMap `<data plane>-ca` holds the control plane's CA (ca.crt) for CONTROL_PLANE_CA_FILE. */
  controlPlaneCa: boolean;
  apiKey: string;
  gatewayName: string;
}

export type KubeManifest = Record<string, unknown> & { metadata: { name: string; namespace: string } & Record<string, unknown> };

const RFC1123_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** `<gateway>-novagate-gateway`, or a hashed form that is a valid Service name (≤ 63, starts with a letter). */
export function dataPlaneName(gatewayName: string): string {
  const plain = `${gatewayName}-novagate-gateway`;
  if (plain.length <= 63 && RFC1123_LABEL.test(plain)) return plain;
  const stem = gatewayName.replace(/[^-a-z0-9]/g, '-').slice(0, 36).replace(/-+$/, '');
  return `ngw-${stem}-${shortHash(gatewayName)}-gateway`.replace(/-+/g, '-');
}

/** The Gateway's key Secret, written by the Gateway controller. */
export function apiKeySecretName(gatewayName: string): string {
  return `${gatewayName}-novagate-gateway-key`;
}

/** A label value (≤ 63): the name itself, or its start and a hash when it is longer. */
export function gatewayLabelValue(gatewayName: string): string {
  return gatewayName.length <= 63 ? gatewayName : `${gatewayName.slice(0, 54).replace(/[-.]+$/, '')}-${shortHash(gatewayName)}`;
}

/** Ports below 1024 bind 10000 higher inside the non-root container (the Service maps them back). */
export function bindPortOf(port: number): number {
  return port < 1024 ? port + 10_000 : port;
}

export function resolveSettings(defaults: DataPlaneDefaults, parameters: GatewayParametersSpec | undefined) {
  return {
    image: parameters?.image ?? defaults.image,
    replicas: parameters?.replicas ?? defaults.replicas,
    serviceType: parameters?.serviceType ?? defaults.serviceType,
    resources: parameters?.resources ?? defaults.resources,
    nodeSelector: parameters?.nodeSelector,
    tolerations: parameters?.tolerations,
  };
}

function ownerReference(gateway: ProvisionedGateway) {
  return {
    apiVersion: gateway.apiVersion ?? 'gateway.networking.k8s.io/v1',
    kind: gateway.kind ?? 'Gateway',
    name: gateway.metadata.name,
    uid: gateway.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function selectorLabels(gateway: ProvisionedGateway): Record<string, string> {
  return { [DATA_PLANE_LABEL]: DATA_PLANE_LABEL_VALUE, [GATEWAY_NAME_LABEL]: gatewayLabelValue(gateway.metadata.name) };
}

/** The distinct listener ports, lowest first. */
function listenerPorts(gateway: ProvisionedGateway): number[] {
  return [...new Set(gateway.spec.listeners.map((listener) => listener.port))].sort((a, b) => a - b);
}

export function desiredDeployment(
  gateway: ProvisionedGateway,
  defaults: DataPlaneDefaults,
  parameters: GatewayParametersSpec | undefined,
  settings: DataPlaneSettings,
): KubeManifest {
  const namespace = gateway.metadata.namespace ?? 'default';
  const name = dataPlaneName(gateway.metadata.name);
  const resolved = resolveSettings(defaults, parameters);
  const labels = selectorLabels(gateway);
  const env: Record<string, unknown>[] = [
    { name: 'PORT', value: String(PROXY_PORT) },
    { name: 'METRICS_PORT', value: String(METRICS_PORT) },
    { name: 'LOG_LEVEL', value: defaults.logLevel ?? 'info' },
    { name: 'GATEWAY_NAME', value: settings.gatewayName },
    { name: 'CONTROL_PLANE_URL', value: settings.controlPlaneUrl },
    { name: 'GATEWAY_API_KEY', valueFrom: { secretKeyRef: { name: apiKeySecretName(gateway.metadata.name), key: 'apiKey' } } },
    { name: 'CONFIG_CACHE_FILE', value: '/var/cache/novagate/config.json' },
    { name: 'NODE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  if (settings.controlPlaneUrl.startsWith('ws://')) env.push({ name: 'ALLOW_INSECURE_CONTROL_PLANE', value: 'true' });
  if (settings.controlPlaneCa) env.push({ name: 'CONTROL_PLANE_CA_FILE', value: `${CA_MOUNT}/ca.crt` });
  const volumeMounts: Record<string, unknown>[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'config-cache', mountPath: '/var/cache/novagate' },
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    { name: 'config-cache', emptyDir: { sizeLimit: '64Mi' } },
  ];
  if (settings.controlPlaneCa) {
    volumeMounts.push({ name: 'control-plane-ca', mountPath: CA_MOUNT, readOnly: true });
    volumes.push({ name: 'control-plane-ca', configMap: { name: `${name}-ca` } });
  }
  const probe = (path: string, extra: Record<string, number>) => ({ httpGet: { path, port: 'metrics' }, ...extra });
  const podSpec: Record<string, unknown> = {
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: 40,
    // The chart's gateway security context (values podSecurityContext and containerSecurityContext).
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'gateway',
        image: resolved.image,
        ...(defaults.imagePullPolicy === undefined ? {} : { imagePullPolicy: defaults.imagePullPolicy }),
        securityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        ports: [
          { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
          ...listenerPorts(gateway).map((port) => ({ name: `listener-${bindPortOf(port)}`.slice(0, 15), containerPort: bindPortOf(port), protocol: 'TCP' })),
        ],
        env,
        startupProbe: probe('/healthz', { periodSeconds: 2, failureThreshold: 30 }),
        livenessProbe: probe('/healthz', { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
        readinessProbe: probe('/readyz', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 }),
        resources: resolved.resources,
        volumeMounts,
      },
    ],
    volumes,
  };
  if (resolved.nodeSelector !== undefined) podSpec.nodeSelector = resolved.nodeSelector;
  if (resolved.tolerations !== undefined) podSpec.tolerations = resolved.tolerations;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, ownerReferences: [ownerReference(gateway)] },
    spec: {
      replicas: resolved.replicas,
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { [API_KEY_HASH_ANNOTATION]: shortHash(settings.apiKey) } },
        spec: podSpec,
      },
    },
  };
}

export function desiredService(gateway: ProvisionedGateway, defaults: DataPlaneDefaults, parameters: GatewayParametersSpec | undefined): KubeManifest {
  const namespace = gateway.metadata.namespace ?? 'default';
  const labels = selectorLabels(gateway);
  const ports = listenerPorts(gateway);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: dataPlaneName(gateway.metadata.name), namespace, labels, ownerReferences: [ownerReference(gateway)] },
    spec: {
      type: resolveSettings(defaults, parameters).serviceType,
      selector: labels,
      // A Service needs at least one port: a Gateway without listeners keeps metrics only.
      ports:
        ports.length === 0
          ? [{ name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT, protocol: 'TCP' }]
          : ports.map((port) => ({ name: `port-${port}`, port, targetPort: bindPortOf(port), protocol: 'TCP' })),
    },
  };
}

/** The CA ConfigMap mounted at CONTROL_PLANE_CA_FILE (a Secret of the operator's namespace cannot be mounted here). */
export function desiredCaConfigMap(gateway: ProvisionedGateway, caPem: string): KubeManifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${dataPlaneName(gateway.metadata.name)}-ca`,
      namespace: gateway.metadata.namespace ?? 'default',
      labels: selectorLabels(gateway),
      ownerReferences: [ownerReference(gateway)],
    },
    data: { 'ca.crt': caPem },
  };
}

export interface ServiceView {
  spec?: { clusterIP?: string; type?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** LoadBalancer ingress IPs and hostnames; else the ClusterIP as an IPAddress; else none yet. */
export function serviceAddresses(service: ServiceView): GatewayAddress[] {
  const ingress = (service.status?.loadBalancer?.ingress ?? []).flatMap((entry): GatewayAddress[] =>
    entry.ip !== undefined && entry.ip !== '' ? [{ type: 'IPAddress', value: entry.ip }] : entry.hostname !== undefined && entry.hostname !== '' ? [{ type: 'Hostname', value: entry.hostname }] : [],
  );
  if (ingress.length > 0) return ingress;
  const clusterIp = service.spec?.clusterIP;
  return clusterIp !== undefined && clusterIp !== '' && clusterIp !== 'None' ? [{ type: 'IPAddress', value: clusterIp }] : [];
}
