// The Helm chart, proven with the real helm (lint, template, schema) and the Kubernetes schemas of the
// kubernetes-models packages, for the default values and every documented combination in charts/novagate/ci/.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import { helm } from '../tools.js';
import { chartDir, componentName, findObject, releaseName, releaseNamespace, renderChart, renderFailure, type KubeObject } from './render.js';
import { schemaProblems } from './kube-schema.js';

const combinations: { name: string; valuesFiles: string[] }[] = [
  { name: 'default values', valuesFiles: [] },
  ...readdirSync(join(chartDir, 'ci'))
    .filter((file) => file.endsWith('-values.yaml'))
    .sort()
    .map((file) => ({ name: `ci/${file}`, valuesFiles: [`ci/${file}`] })),
];

const workloadKinds = new Set(['Deployment', 'DaemonSet']);

interface Workload {
  kind: string;
  name: string;
  pod: IPodSpec;
}

function workloads(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((object) => workloadKinds.has(object.kind))
    .map((object) => ({ kind: object.kind, name: object.metadata.name, pod: (object as unknown as IDeployment).spec!.template.spec! }));
}

function container(objects: readonly KubeObject[], component: 'control-plane' | 'gateway' | 'operator'): IContainer {
  const workload = workloads(objects).find((candidate) => candidate.name === componentName(component));
  assert.ok(workload, `no workload for ${component}`);
  return workload.pod.containers[0]!;
}

function envNames(c: IContainer): string[] {
  return (c.env ?? []).map((entry) => entry.name);
}

function envValue(c: IContainer, name: string): string | undefined {
  return c.env?.find((entry) => entry.name === name)?.value;
}

test('the documented combinations are the default values plus the four files in ci/', () => {
  assert.deepEqual(
    combinations.map((combination) => combination.name),
    [
      'default values',
      'ci/all-features-values.yaml',
      'ci/gateway-remote-control-plane-values.yaml',
      'ci/gateway-standalone-daemonset-values.yaml',
      'ci/namespaced-operator-plain-http-values.yaml',
    ],
  );
});

for (const combination of combinations) {
  describe(combination.name, () => {
    test('helm lint --strict passes', () => {
      const args = ['lint', chartDir, '--strict', ...combination.valuesFiles.flatMap((file) => ['--values', join(chartDir, file)])];
      const result = helm(args);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    const objects = renderChart({ valuesFiles: combination.valuesFiles });

    test('every rendered object validates against its Kubernetes schema', async () => {
      assert.ok(objects.length > 0);
      const problems = (await Promise.all(objects.map((object) => schemaProblems(object)))).flat();
      assert.deepEqual(problems, []);
    });

    test('no object is a Secret and no plaintext secret is rendered', () => {
      assert.deepEqual(objects.filter((object) => object.kind === 'Secret'), []);
      const secretNames = ['DATABASE_URL', 'PLATFORM_JWT_SECRET', 'PLATFORM_JWT_ACCEPTED_SECRET', 'SECRETS_ENCRYPTION_KEY', 'SECRETS_ENCRYPTION_ACCEPTED_KEY', 'JWT_SECRET', 'REDIS_URL', 'GATEWAY_API_KEY', 'SMTP_URL'];
      for (const workload of workloads(objects)) {
        for (const c of workload.pod.containers) {
          for (const entry of c.env ?? []) {
            if (!secretNames.includes(entry.name)) continue;
            assert.equal(entry.value, undefined, `${workload.name} sets ${entry.name} in plaintext`);
            assert.ok(entry.valueFrom?.secretKeyRef?.name, `${workload.name} reads ${entry.name} from a Secret`);
          }
        }
      }
      for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
        const text = JSON.stringify(configMap);
        for (const name of secretNames) assert.ok(!text.includes(`${name}=`) && !text.includes(`"${name}":`), `${configMap.metadata.name} holds ${name}`);
      }
    });

    test('every pod is locked down, bounded and probed on /healthz and /readyz', () => {
      const found = workloads(objects);
      assert.ok(found.length > 0);
      for (const { name, pod } of found) {
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${name} runAsNonRoot`);
        assert.equal(pod.securityContext?.runAsUser, 1000, `${name} runs as the image's node user`);
        assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${name} seccomp`);
        assert.ok(pod.terminationGracePeriodSeconds !== undefined, `${name} terminationGracePeriodSeconds`);
        const mounts = new Set(pod.containers.flatMap((c) => (c.volumeMounts ?? []).map((mount) => mount.mountPath)));
        assert.ok(mounts.has('/tmp'), `${name} has a writable /tmp on an emptyDir`);
        for (const c of pod.containers) {
          const where = `${name}/${c.name}`;
          assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where} readOnlyRootFilesystem`);
          assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${where} allowPrivilegeEscalation`);
          assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${where} drops all capabilities`);
          assert.equal(c.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where} seccomp`);
          assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory, `${where} requests`);
          assert.ok(c.resources?.limits?.cpu && c.resources.limits.memory, `${where} limits`);
          assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${where} liveness`);
          assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${where} readiness`);
          const portNames = new Set((c.ports ?? []).map((port) => port.name));
          assert.ok(portNames.has(String(c.livenessProbe.httpGet.port)), `${where} probes a declared port`);
          assert.ok(!c.image?.endsWith(':latest') && /:[^/]+$/.test(c.image ?? ''), `${where} image has a pinned tag`);
        }
      }
    });

    test('each Service selects pods of its own component and targets declared ports', () => {
      for (const service of objects.filter((object) => object.kind === 'Service') as unknown as (IService & KubeObject)[]) {
        const selector = service.spec?.selector ?? {};
        const matching = workloads(objects).filter(({ name }) => {
          const workload = objects.find((object) => object.metadata.name === name && workloadKinds.has(object.kind)) as unknown as IDeployment;
          const labels = workload.spec!.template.metadata?.labels ?? {};
          return Object.entries(selector).every(([key, value]) => labels[key] === value);
        });
        assert.equal(matching.length, 1, `Service ${service.metadata.name} selects exactly one workload`);
        const declared = new Set(matching[0]!.pod.containers.flatMap((c) => (c.ports ?? []).map((port) => port.name)));
        for (const port of service.spec?.ports ?? []) assert.ok(declared.has(String(port.targetPort)), `${service.metadata.name} port ${port.name}`);
      }
    });

    test('every PodDisruptionBudget and HorizontalPodAutoscaler points at a rendered workload', () => {
      const names = new Set(workloads(objects).map((workload) => workload.name));
      for (const object of objects.filter((candidate) => candidate.kind === 'PodDisruptionBudget' || candidate.kind === 'HorizontalPodAutoscaler')) {
        assert.ok(names.has(object.metadata.name), `${object.kind}/${object.metadata.name}`);
      }
      for (const hpa of objects.filter((candidate) => candidate.kind === 'HorizontalPodAutoscaler')) {
        const target = findObject<IDeployment>(objects, 'Deployment', hpa.metadata.name);
        assert.equal(target.spec?.replicas, undefined, `${hpa.metadata.name} leaves replicas to the autoscaler`);
      }
    });
  });
}

describe('values', () => {
  test('a misspelt key fails with a message naming it', () => {
    const stderr = renderFailure({ set: ['gateway.replcas=3'] });
    assert.match(stderr, /gateway: Additional property replcas is not allowed/);
  });

  test('a value outside its choices fails with a message naming the value', () => {
    assert.match(renderFailure({ set: ['gateway.kind=StatefulSet'] }), /gateway\.kind must be one of the following: "Deployment", "DaemonSet"/);
    assert.match(renderFailure({ set: ['gateway.rateLimitFailureMode=maybe'] }), /gateway\.rateLimitFailureMode/);
    assert.match(renderFailure({ set: ['monitoring.prometheusRule.alerts.NovaGateGatewayHighLatency.for=ten minutes'] }), /NovaGateGatewayHighLatency\.for/);
  });

  test('a slow-client bound that is not a positive integer is refused', () => {
    for (const value of ['0', '-5', 'lots']) assert.match(renderFailure({ set: [`gateway.maxConnections=${value}`] }), /gateway\.maxConnections/);
    assert.match(renderFailure({ set: ['controlPlane.requestTimeoutMs=0'] }), /controlPlane\.requestTimeoutMs/);
  });

  test('an empty existingSecret is refused', () => {
    assert.match(renderFailure({ set: ['controlPlane.existingSecret='] }), /controlPlane\.existingSecret/);
  });

  test('a grace period not longer than preStop + drain is refused', () => {
    const stderr = renderFailure({ set: ['gateway.terminationGracePeriodSeconds=12', 'gateway.drainTimeoutMs=10000', 'gateway.preStopSleepSeconds=5'] });
    assert.match(stderr, /gateway\.terminationGracePeriodSeconds \(12\) must be longer than/);
  });

  test('two operators without leader election are refused', () => {
    assert.match(renderFailure({ set: ['operator.replicas=2', 'operator.leaderElection=false'] }), /operator\.leaderElection/);
  });

  test('cert-manager without an issuer is refused', () => {
    assert.match(renderFailure({ set: ['controlPlane.tls.certManager.enabled=true'] }), /issuerRef\.name is required/);
  });

  test('a gateway in controlPlane mode without a control plane needs its URL', () => {
    assert.match(renderFailure({ set: ['controlPlane.enabled=false'] }), /gateway\.controlPlane\.url is required/);
  });

  test('disabling everything is refused', () => {
    assert.match(renderFailure({ set: ['controlPlane.enabled=false', 'gateway.enabled=false', 'operator.enabled=false'] }), /enable at least one/);
  });
});

describe('components', () => {
  const all = renderChart();

  test('each component can be switched off and takes all its objects with it', () => {
    for (const [key, component] of [
      ['controlPlane', 'control-plane'],
      ['gateway', 'gateway'],
      ['operator', 'operator'],
    ] as const) {
      const set = [`${key}.enabled=false`];
      if (key === 'controlPlane') set.push('gateway.controlPlane.url=wss://cp.example.com');
      const objects = renderChart({ set });
      const left = objects.filter((object) => object.metadata.name.startsWith(componentName(component)));
      assert.deepEqual(left.map((object) => object.kind), [], `${key} disabled`);
      assert.ok(all.some((object) => object.metadata.name === componentName(component)), `${component} is there by default`);
    }
  });

  test('the control plane reads its secrets from existingSecret and serves TLS from the TLS Secret', () => {
    const c = container(all, 'control-plane');
    const ref = (name: string) => c.env?.find((entry) => entry.name === name)?.valueFrom?.secretKeyRef;
    assert.deepEqual(ref('DATABASE_URL'), { name: 'novagate-control-plane', key: 'DATABASE_URL' });
    assert.deepEqual(ref('PLATFORM_JWT_SECRET'), { name: 'novagate-control-plane', key: 'PLATFORM_JWT_SECRET' });
    assert.deepEqual(ref('PLATFORM_JWT_ACCEPTED_SECRET'), { name: 'novagate-control-plane', key: 'PLATFORM_JWT_ACCEPTED_SECRET', optional: true });
    assert.deepEqual(ref('SECRETS_ENCRYPTION_KEY'), { name: 'novagate-control-plane', key: 'SECRETS_ENCRYPTION_KEY', optional: true });
    assert.deepEqual(ref('SECRETS_ENCRYPTION_ACCEPTED_KEY'), { name: 'novagate-control-plane', key: 'SECRETS_ENCRYPTION_ACCEPTED_KEY', optional: true });
    assert.deepEqual(ref('REDIS_URL'), { name: 'novagate-control-plane', key: 'REDIS_URL', optional: true });
    assert.equal(envValue(c, 'PORT'), '8080');
    assert.equal(envValue(c, 'METRICS_PORT'), '9090', '/metrics is served off the API port');
    assert.equal(envValue(c, 'TLS_CERT_FILE'), '/etc/novagate/tls/tls.crt');
    assert.equal(c.readinessProbe?.httpGet?.scheme, 'HTTPS');
    // Migrations run before the server listens: 300 s of start-up before the first liveness check.
    assert.equal(c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!, 300);
    const deployment = findObject<IDeployment>(all, 'Deployment', componentName('control-plane'));
    const tls = deployment.spec!.template.spec!.volumes?.find((volume) => volume.name === 'tls');
    assert.equal(tls?.secret?.secretName, 'novagate-control-plane-tls');
  });

  test('the gateway dials this release’s control plane over wss and trusts its CA', () => {
    const c = container(all, 'gateway');
    assert.equal(envValue(c, 'CONTROL_PLANE_URL'), `wss://${componentName('control-plane')}.${releaseNamespace}.svc:8080`);
    assert.equal(envValue(c, 'CONTROL_PLANE_CA_FILE'), '/etc/novagate/control-plane-ca/ca.crt');
    assert.deepEqual(c.env?.find((entry) => entry.name === 'GATEWAY_API_KEY')?.valueFrom?.secretKeyRef, { name: 'novagate-gateway', key: 'GATEWAY_API_KEY' });
    assert.equal(envValue(c, 'PORT'), '8000');
    assert.equal(envValue(c, 'METRICS_PORT'), '9100');
    assert.ok(!envNames(c).includes('CONFIG_FILE'));
    assert.equal(c.env?.find((entry) => entry.name === 'NODE_ID')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name', 'NODE_ID is the pod name');
    const deployment = findObject<IDeployment>(all, 'Deployment', componentName('gateway'));
    const ca = deployment.spec!.template.spec!.volumes?.find((volume) => volume.name === 'control-plane-ca');
    assert.equal(ca?.secret?.secretName, 'novagate-control-plane-tls');
  });

  test('the gateway’s grace period outlasts its preStop pause and drain', () => {
    const deployment = findObject<IDeployment>(all, 'Deployment', componentName('gateway'));
    const pod = deployment.spec!.template.spec!;
    const c = pod.containers[0]!;
    const drainSeconds = Number(envValue(c, 'DRAIN_TIMEOUT_MS')) / 1000;
    const preStop = Number(c.lifecycle?.preStop?.exec?.command?.[1]);
    assert.equal(drainSeconds, 10);
    assert.ok(pod.terminationGracePeriodSeconds! > drainSeconds + preStop, `${pod.terminationGracePeriodSeconds} > ${drainSeconds} + ${preStop}`);
  });

  test('a standalone DaemonSet gateway reads CONFIG_FILE from its ConfigMap', () => {
    const objects = renderChart({ valuesFiles: ['ci/gateway-standalone-daemonset-values.yaml'] });
    const daemonSet = findObject<IDeployment>(objects, 'DaemonSet', componentName('gateway'));
    const c = daemonSet.spec!.template.spec!.containers[0]!;
    assert.equal(envValue(c, 'CONFIG_FILE'), '/etc/novagate/config/config.yaml');
    assert.ok(!envNames(c).includes('CONTROL_PLANE_URL') && !envNames(c).includes('GATEWAY_API_KEY'));
    const configMap = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', `${componentName('gateway')}-config`);
    assert.match(configMap.data['config.yaml']!, /name: get-user/);
    assert.equal(objects.filter((object) => object.kind === 'Deployment').length, 0);
  });

  test('a remote gateway takes its key from the operator’s Tenant Secret and uses the system trust store', () => {
    const objects = renderChart({ valuesFiles: ['ci/gateway-remote-control-plane-values.yaml'] });
    const c = container(objects, 'gateway');
    assert.equal(envValue(c, 'CONTROL_PLANE_URL'), 'wss://cp.example.com');
    assert.deepEqual(c.env?.find((entry) => entry.name === 'GATEWAY_API_KEY')?.valueFrom?.secretKeyRef, { name: 'acme-gateway-key', key: 'apiKey' });
    assert.ok(!envNames(c).includes('CONTROL_PLANE_CA_FILE'));
  });

  test('Redis over TLS: each component mounts the Redis CA and client certificate from its Secrets and points its env at them', async () => {
    assert.ok(!envNames(container(all, 'gateway')).includes('REDIS_CA_FILE'), 'nothing by default');
    const objects = renderChart({
      set: [
        'controlPlane.redisTls.caSecret=redis-ca',
        'controlPlane.redisTls.clientCertSecret=cp-redis-client',
        'gateway.redisTls.caSecret=redis-ca',
        'gateway.redisTls.caKey=bundle.pem',
      ],
    });
    for (const component of ['control-plane', 'gateway'] as const) {
      const pod = findObject<IDeployment>(objects, 'Deployment', componentName(component)).spec!.template.spec!;
      const c = pod.containers[0]!;
      assert.equal(envValue(c, 'REDIS_CA_FILE'), '/etc/novagate/redis-ca/ca.crt', component);
      const ca = pod.volumes?.find((volume) => volume.name === 'redis-ca');
      assert.equal(ca?.secret?.secretName, 'redis-ca');
      assert.deepEqual(ca?.secret?.items, [{ key: component === 'gateway' ? 'bundle.pem' : 'ca.crt', path: 'ca.crt' }]);
      assert.ok(c.volumeMounts?.some((mount) => mount.name === 'redis-ca' && mount.mountPath === '/etc/novagate/redis-ca'));
    }
    const cp = findObject<IDeployment>(objects, 'Deployment', componentName('control-plane')).spec!.template.spec!;
    assert.equal(envValue(cp.containers[0]!, 'REDIS_CLIENT_CERT_FILE'), '/etc/novagate/redis-client/tls.crt');
    assert.equal(envValue(cp.containers[0]!, 'REDIS_CLIENT_KEY_FILE'), '/etc/novagate/redis-client/tls.key');
    assert.equal(cp.volumes?.find((volume) => volume.name === 'redis-client')?.secret?.secretName, 'cp-redis-client');
    assert.ok(!envNames(container(objects, 'gateway')).includes('REDIS_CLIENT_CERT_FILE'));
    assert.deepEqual((await Promise.all(objects.map((object) => schemaProblems(object)))).flat(), []);
  });

  test('a standalone gateway takes CONFIG_CACHE_KEY, which seals its config cache, from existingSecret', () => {
    const objects = renderChart({ valuesFiles: ['ci/gateway-standalone-daemonset-values.yaml'] });
    const c = findObject<IDeployment>(objects, 'DaemonSet', componentName('gateway')).spec!.template.spec!.containers[0]!;
    assert.deepEqual(c.env?.find((entry) => entry.name === 'CONFIG_CACHE_KEY')?.valueFrom?.secretKeyRef, {
      name: 'novagate-gateway',
      key: 'CONFIG_CACHE_KEY',
      optional: true,
    });
    assert.ok(!envNames(container(all, 'gateway')).includes('CONFIG_CACHE_KEY'), 'in control-plane mode the key comes from GATEWAY_API_KEY');
  });

  test('slow-client bounds and the gateway JWT settings reach the env only when set', () => {
    const limits = { HEADERS_TIMEOUT_MS: 'headersTimeoutMs', BODY_IDLE_TIMEOUT_MS: 'bodyIdleTimeoutMs', REQUEST_TIMEOUT_MS: 'requestTimeoutMs', MAX_CONNECTIONS: 'maxConnections' };
    for (const component of ['control-plane', 'gateway'] as const) {
      for (const name of [...Object.keys(limits), 'JWT_ISSUER', 'JWT_AUDIENCE']) assert.ok(!envNames(container(all, component)).includes(name), `${component} ${name} unset by default`);
    }
    const set = Object.values(limits).flatMap((key, i) => [`controlPlane.${key}=${1000 + i}`, `gateway.${key}=${2000 + i}`]);
    const objects = renderChart({ set: [...set, 'gateway.jwtIssuer=https://idp.example.com/', 'gateway.jwtAudience=orders'] });
    Object.keys(limits).forEach((name, i) => {
      assert.equal(envValue(container(objects, 'control-plane'), name), String(1000 + i));
      assert.equal(envValue(container(objects, 'gateway'), name), String(2000 + i));
    });
    const gateway = container(objects, 'gateway');
    assert.equal(envValue(gateway, 'JWT_ISSUER'), 'https://idp.example.com/');
    assert.equal(envValue(gateway, 'JWT_AUDIENCE'), 'orders');
    assert.deepEqual(gateway.env?.find((entry) => entry.name === 'JWT_ACCEPTED_SECRET')?.valueFrom?.secretKeyRef, { name: 'novagate-gateway', key: 'JWT_ACCEPTED_SECRET', optional: true });
  });

  test('cert-manager issues the control plane certificate for its Service names', () => {
    const objects = renderChart({ valuesFiles: ['ci/all-features-values.yaml'] });
    const certificate = findObject<{ spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } } }>(objects, 'Certificate', componentName('control-plane'));
    assert.equal(certificate.spec.secretName, `${componentName('control-plane')}-tls`);
    assert.ok(certificate.spec.dnsNames.includes(`${componentName('control-plane')}.${releaseNamespace}.svc`));
    assert.ok(certificate.spec.dnsNames.includes('cp.example.com'));
    assert.equal(certificate.spec.issuerRef.name, 'letsencrypt');
  });
});

describe('operator RBAC', () => {
  const expectedRules: IPolicyRule[] = [
    { apiGroups: ['novagate.dev'], resources: ['tenants', 'routes', 'consumers'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: ['novagate.dev'], resources: ['tenants/status', 'routes/status', 'consumers/status'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: ['novagate.dev'], resources: ['tenants/finalizers'], verbs: ['update'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ];
  /** Gateway data planes (GATEWAY_PROVISIONER=cluster, the chart's default): the only objects the operator deletes. */
  const dataPlaneRules: IPolicyRule[] = [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get', 'create', 'patch', 'delete'] },
    { apiGroups: ['novagate.dev'], resources: ['gatewayparameters'], verbs: ['get', 'list', 'watch'] },
  ];
  /** The data planes the operator creates per Gateway: deleting them is its job (release). */
  const deletable = new Set(['deployments', 'services', 'configmaps']);
  /** GatewayClasses are cluster-scoped: only an operator watching every namespace gets (and uses) them. */
  const gatewayClassRules: IPolicyRule[] = [
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['gatewayclasses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['gatewayclasses/status'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways/finalizers'], verbs: ['update'] },
    { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways/status'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'referencegrants'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes/status'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['novagate.dev'], resources: ['novagatepolicies'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['novagate.dev'], resources: ['novagatepolicies/status'], verbs: ['get', 'update', 'patch'] },
  ];

  function rulesOf(objects: readonly KubeObject[], kind: string, name: string): IPolicyRule[] {
    return findObject<{ rules: IPolicyRule[] }>(objects, kind, name).rules;
  }

  test('watching all namespaces: a ClusterRole with exactly the operator’s verbs (GatewayClasses included), no wildcard, delete only of its data planes', () => {
    const objects = renderChart();
    const name = `${releaseNamespace}-${componentName('operator')}`;
    assert.deepEqual(rulesOf(objects, 'ClusterRole', name), [...expectedRules, ...dataPlaneRules, ...gatewayClassRules]);
    const withoutProvisioner = renderChart({ set: ['gatewayApi.provisioner.mode=none'] });
    assert.deepEqual(rulesOf(withoutProvisioner, 'ClusterRole', name), [...expectedRules, ...gatewayClassRules], 'no data planes: no right to create or delete Deployments, Services or ConfigMaps');
    const binding = findObject<{ subjects: { name: string; namespace: string }[]; roleRef: { kind: string; name: string } }>(objects, 'ClusterRoleBinding', name);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: componentName('operator'), namespace: releaseNamespace }]);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
    for (const object of objects.filter((candidate) => candidate.kind === 'ClusterRole' || candidate.kind === 'Role')) {
      for (const rule of (object as unknown as { rules: IPolicyRule[] }).rules) {
        assert.ok(!rule.verbs.includes('*') && !rule.verbs.includes('deletecollection'), `${object.metadata.name}: ${rule.verbs}`);
        if (rule.verbs.includes('delete')) assert.ok((rule.resources ?? []).every((resource) => deletable.has(resource)), `${object.metadata.name}: delete of ${rule.resources}`);
        assert.ok(!(rule.resources ?? []).includes('*') && !(rule.apiGroups ?? []).includes('*'), `${object.metadata.name}: wildcard`);
      }
    }
  });

  test('leader election: Leases only, in the operator’s own namespace', () => {
    const objects = renderChart();
    const role = findObject<KubeObject & { rules: IPolicyRule[] }>(objects, 'Role', `${componentName('operator')}-leader-election`);
    assert.equal(role.metadata.namespace, undefined, 'rendered into the release namespace');
    assert.deepEqual(role.rules[0], { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] });
    assert.equal(envValue(container(objects, 'operator'), 'LEADER_ELECTION'), 'true');
    assert.equal(envValue(container(objects, 'operator'), 'GATEWAY_BIND_PRIVILEGED_PORTS'), 'false');
    const sealing = container(objects, 'operator').env?.find((entry) => entry.name === 'SECRETS_ENCRYPTION_KEY');
    assert.deepEqual(sealing?.valueFrom?.secretKeyRef, { name: 'novagate-control-plane', key: 'SECRETS_ENCRYPTION_KEY', optional: true }, 'the control plane\'s key, optional');
  });

  test('watching one namespace: a Role there and no cluster-wide permission', () => {
    const objects = renderChart({ valuesFiles: ['ci/namespaced-operator-plain-http-values.yaml'] });
    assert.equal(objects.filter((object) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding').length, 0);
    const role = findObject<KubeObject & { rules: IPolicyRule[] }>(objects, 'Role', componentName('operator'));
    assert.equal(role.metadata.namespace, 'tenants');
    assert.deepEqual(role.rules, expectedRules);
    const binding = findObject<KubeObject>(objects, 'RoleBinding', componentName('operator'));
    assert.equal(binding.metadata.namespace, 'tenants');
    assert.equal(envValue(container(objects, 'operator'), 'WATCH_NAMESPACE'), 'tenants');
    assert.ok(!objects.some((object) => object.metadata.name.endsWith('-leader-election')), 'no Lease permission without leader election');
  });

  test('only the operator mounts a service account token', () => {
    const objects = renderChart();
    for (const { name, pod } of workloads(objects)) {
      if (name === componentName('operator')) assert.notEqual(pod.automountServiceAccountToken, false);
      else assert.equal(pod.automountServiceAccountToken, false, name);
    }
  });
});

describe('NetworkPolicy', () => {
  test('off by default; when on, each component admits only its own ports', () => {
    assert.equal(renderChart().filter((object) => object.kind === 'NetworkPolicy').length, 0);
    const objects = renderChart({ valuesFiles: ['ci/all-features-values.yaml'] });
    const policies = objects.filter((object) => object.kind === 'NetworkPolicy') as unknown as (KubeObject & {
      spec: { policyTypes: string[]; ingress: { ports: { port: number }[]; from?: unknown[] }[] };
    })[];
    const ports = Object.fromEntries(policies.map((policy) => [policy.metadata.name, policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port))]));
    assert.deepEqual(ports, { [componentName('control-plane')]: [8080, 9090], [componentName('gateway')]: [8000, 10443, 9100], [componentName('operator')]: [8081] });
    for (const policy of policies) assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
    const operatorPolicy = policies.find((policy) => policy.metadata.name === componentName('operator'))!;
    assert.deepEqual(operatorPolicy.spec.ingress[0]!.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  });
});

describe('exposure', () => {
  const gatewayService = (set: string[]) => findObject<IService & KubeObject>(renderChart({ set }), 'Service', componentName('gateway'));

  test('the gateway Service takes its type, annotations, loadBalancerIP, source ranges and externalTrafficPolicy from values', () => {
    const service = gatewayService([
      'gateway.service.type=LoadBalancer',
      'gateway.service.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-scheme=internet-facing',
      'gateway.service.loadBalancerIP=203.0.113.7',
      'gateway.service.loadBalancerSourceRanges={10.0.0.0/8,192.0.2.0/24}',
      'gateway.service.externalTrafficPolicy=Local',
    ]);
    assert.equal(service.spec?.type, 'LoadBalancer');
    assert.equal(service.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme'], 'internet-facing');
    assert.equal(service.spec?.loadBalancerIP, '203.0.113.7');
    assert.deepEqual(service.spec?.loadBalancerSourceRanges, ['10.0.0.0/8', '192.0.2.0/24']);
    assert.equal(service.spec?.externalTrafficPolicy, 'Local');
    const plain = gatewayService([]);
    assert.equal(plain.spec?.type, 'ClusterIP');
    assert.equal(plain.spec?.loadBalancerIP, undefined);
    assert.equal(plain.spec?.externalTrafficPolicy, undefined);
  });

  test('listener ports open a container port at bindPort, a Service port at port and, with NetworkPolicy on, admit traffic to bindPort', () => {
    const set = ['gateway.listenerPorts[0].name=https', 'gateway.listenerPorts[0].port=443', 'gateway.listenerPorts[0].bindPort=10443', 'networkPolicy.enabled=true'];
    const objects = renderChart({ set });
    const service = findObject<IService & KubeObject>(objects, 'Service', componentName('gateway'));
    assert.deepEqual(
      service.spec?.ports?.map((port) => [port.name, port.port, port.targetPort]),
      [
        ['proxy', 80, 'proxy'],
        ['metrics', 9100, 'metrics'],
        ['https', 443, 'https'],
      ],
    );
    const gateway = workloads(objects).find((workload) => workload.name === componentName('gateway'));
    const container = gateway?.pod.containers.find((c) => c.name === 'gateway');
    assert.deepEqual(container?.ports?.find((port) => port.name === 'https')?.containerPort, 10443);
    const policy = findObject<KubeObject & { spec: { ingress: { ports: { port: number }[] }[] } }>(objects, 'NetworkPolicy', componentName('gateway'));
    assert.deepEqual(policy.spec.ingress[0]?.ports.map((port) => port.port), [8000, 10443]);
  });

  test('a listener port below 1024, on the proxy or metrics port, or with a name a Service cannot take is refused naming the value', () => {
    for (const bad of [
      ['gateway.listenerPorts[0].name=https', 'gateway.listenerPorts[0].port=443', 'gateway.listenerPorts[0].bindPort=443'],
      ['gateway.listenerPorts[0].name=https', 'gateway.listenerPorts[0].port=443', 'gateway.listenerPorts[0].bindPort=9100'],
      ['gateway.listenerPorts[0].name=Not_A_Name', 'gateway.listenerPorts[0].port=443', 'gateway.listenerPorts[0].bindPort=10443'],
      ['gateway.listenerPorts[0].name=proxy', 'gateway.listenerPorts[0].port=443', 'gateway.listenerPorts[0].bindPort=10443'],
    ]) {
      assert.match(renderFailure({ set: bad }), /listenerPorts/, bad.join(' '));
    }
  });

  test('a loadBalancerIP on a Service that is not a LoadBalancer, or one that is not an address, is refused naming the value', () => {
    assert.match(renderFailure({ set: ['gateway.service.loadBalancerIP=203.0.113.7'] }), /gateway\.service\.loadBalancerIP and loadBalancerSourceRanges need gateway\.service\.type LoadBalancer \(it is ClusterIP\)/);
    assert.match(renderFailure({ set: ['gateway.service.type=LoadBalancer', 'gateway.service.loadBalancerIP=my balancer'] }), /gateway\.service\.loadBalancerIP/);
    assert.match(renderFailure({ set: ['gateway.service.type=LoadBalancer', 'gateway.service.loadBalancerSourceRanges={everyone}'] }), /gateway\.service\.loadBalancerSourceRanges/);
  });

  test('the control plane Ingress is off by default; on, it serves the API over TLS for its host and routes to the API port', async () => {
    assert.deepEqual(renderChart().filter((object) => object.kind === 'Ingress'), []);
    const objects = renderChart({
      set: ['controlPlane.ingress.enabled=true', 'controlPlane.ingress.host=api.example.com', 'controlPlane.ingress.tls.secretName=api-tls', 'controlPlane.ingress.className=nginx', 'controlPlane.ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/backend-protocol=HTTPS'],
    });
    const ingress = findObject<KubeObject & { spec: { ingressClassName: string; tls: { hosts: string[]; secretName: string }[]; rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }[] } }[] } }>(objects, 'Ingress', componentName('control-plane'));
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.equal(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'], 'HTTPS');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['api.example.com'], secretName: 'api-tls' }]);
    assert.equal(ingress.spec.rules[0]?.host, 'api.example.com');
    const path = ingress.spec.rules[0]?.http.paths[0];
    assert.deepEqual(path, { path: '/', pathType: 'Prefix', backend: { service: { name: componentName('control-plane'), port: { name: 'http' } } } });
    const service = findObject<IService & KubeObject>(objects, 'Service', componentName('control-plane'));
    assert.ok(service.spec?.ports?.some((port) => port.name === 'http'), 'the Service has the port the Ingress names');
    assert.deepEqual(await schemaProblemsOf(objects), []);
  });

  test('an Ingress without a host or without TLS, or without a control plane, is refused naming the value', () => {
    assert.match(renderFailure({ set: ['controlPlane.ingress.enabled=true', 'controlPlane.ingress.tls.secretName=api-tls'] }), /controlPlane\.ingress\.host is required/);
    assert.match(renderFailure({ set: ['controlPlane.ingress.enabled=true', 'controlPlane.ingress.host=api.example.com'] }), /controlPlane\.ingress\.tls\.secretName is required/);
    assert.match(renderFailure({ set: ['controlPlane.ingress.enabled=true', 'controlPlane.ingress.host=API example', 'controlPlane.ingress.tls.secretName=t'] }), /controlPlane\.ingress\.host/);
    assert.match(
      renderFailure({ set: ['controlPlane.enabled=false', 'gateway.controlPlane.url=wss://cp.example.com', 'controlPlane.ingress.enabled=true', 'controlPlane.ingress.host=a.example.com', 'controlPlane.ingress.tls.secretName=t'] }),
      /controlPlane\.ingress\.enabled needs controlPlane\.enabled/,
    );
  });
});

/**
 * NOTES.txt as `helm install` prints it: `helm template` leaves NOTES.txt out, so a copy of the chart renders it
 * with `tpl` from an extra template, which --show-only prints.
 */
function renderNotes(set: readonly string[]): string {
  const copy = mkdtempSync(join(tmpdir(), 'novagate-notes-'));
  try {
    cpSync(chartDir, copy, { recursive: true });
    copyFileSync(join(copy, 'templates/NOTES.txt'), join(copy, 'notes-probe.txt'));
    writeFileSync(join(copy, 'templates/notes-probe.yaml'), 'notes: {{ tpl (.Files.Get "notes-probe.txt") . | toJson }}\n');
    const result = helm(['template', releaseName, copy, '--namespace', releaseNamespace, '--show-only', 'templates/notes-probe.yaml', ...set.flatMap((expression) => ['--set', expression])]);
    assert.equal(result.status, 0, result.stderr);
    return (parse(result.stdout) as { notes: string }).notes;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function schemaProblemsOf(objects: readonly KubeObject[]): Promise<string[]> {
  return (await Promise.all(objects.map((object) => schemaProblems(object)))).flat();
}

describe('in-chart PostgreSQL', () => {
  const tryItOut = ['postgresql.enabled=true'];

  test('off by default: no StatefulSet, no postgres image anywhere', () => {
    const objects = renderChart();
    assert.deepEqual(objects.filter((object) => object.kind === 'StatefulSet'), []);
    assert.ok(!JSON.stringify(objects).includes('postgres:'));
  });

  test('on, it is one StatefulSet on the official postgres image, locked down, with its password from a Secret and data on a claim', async () => {
    const objects = renderChart({ set: tryItOut });
    const name = `${releaseName}-novagate-postgresql`;
    const statefulSet = findObject<KubeObject & { spec: { replicas: number; serviceName: string; template: { spec: IPodSpec }; volumeClaimTemplates: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }[] } }>(objects, 'StatefulSet', name);
    assert.equal(statefulSet.spec.replicas, 1);
    assert.equal(statefulSet.spec.serviceName, name);
    const pod = statefulSet.spec.template.spec;
    const [postgres] = pod.containers;
    assert.match(postgres?.image ?? '', /^docker\.io\/library\/postgres:\d+\.\d+$/, 'the official image with a pinned version');
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.runAsUser, 999, 'the image’s own postgres user');
    assert.equal(postgres?.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(postgres?.securityContext?.capabilities?.drop, ['ALL']);
    const env = Object.fromEntries((postgres?.env ?? []).map((entry) => [entry.name, entry]));
    assert.deepEqual(env.POSTGRES_PASSWORD?.valueFrom?.secretKeyRef, { name: 'novagate-postgresql', key: 'POSTGRES_PASSWORD' });
    assert.equal(env.POSTGRES_PASSWORD?.value, undefined, 'no password in the manifest');
    assert.equal(env.PGDATA?.value, '/var/lib/postgresql/data/pgdata');
    assert.deepEqual(postgres?.readinessProbe?.exec?.command?.slice(0, 1), ['pg_isready']);
    assert.deepEqual(new Set((postgres?.volumeMounts ?? []).map((mount) => mount.mountPath)), new Set(['/var/lib/postgresql/data', '/var/run/postgresql', '/tmp']));
    assert.equal(statefulSet.spec.volumeClaimTemplates[0]?.metadata.name, 'data');
    assert.equal(statefulSet.spec.volumeClaimTemplates[0]?.spec.resources.requests.storage, '8Gi');
    const service = findObject<IService & KubeObject>(objects, 'Service', name);
    assert.deepEqual(service.spec?.ports?.map((port) => port.port), [5432]);
    assert.deepEqual(objects.filter((object) => object.kind === 'Secret'), [], 'the chart renders no Secret');
    assert.deepEqual(await schemaProblemsOf(objects), []);
  });

  test('with NetworkPolicy on, only the control plane and the operator reach the database port', () => {
    const objects = renderChart({ set: [...tryItOut, 'networkPolicy.enabled=true'] });
    const policy = findObject<KubeObject & { spec: { ingress: { ports: { port: number }[]; from: { podSelector: { matchLabels: Record<string, string> } }[] }[] } }>(objects, 'NetworkPolicy', `${releaseName}-novagate-postgresql`);
    assert.deepEqual(policy.spec.ingress.map((rule) => rule.ports.map((port) => port.port)), [[5432]]);
    assert.deepEqual(policy.spec.ingress[0]?.from.map((peer) => peer.podSelector.matchLabels['app.kubernetes.io/component']), ['control-plane', 'operator']);
  });

  test('production values refuse the in-chart PostgreSQL, naming both values', () => {
    assert.match(renderFailure({ set: [...tryItOut, 'production=true'] }), /postgresql\.enabled is for trying NovaGate out .* and production is true/);
    assert.doesNotThrow(() => renderChart({ set: ['production=true'] }));
  });

  test('a bad storage size or an image without a tag is refused naming the value', () => {
    assert.match(renderFailure({ set: [...tryItOut, 'postgresql.storage.size=lots'] }), /postgresql\.storage\.size/);
    assert.match(renderFailure({ set: [...tryItOut, 'postgresql.image=postgres'] }), /postgresql\.image/);
  });
});

describe('NOTES.txt', () => {
  test('says how to reach the admin API, register the first tenant in two steps and get a gateway key', () => {
    const text = renderNotes([]);
    assert.match(text, /kubectl -n novagate-system port-forward svc\/ng-novagate-control-plane 8080:8080/);
    assert.match(text, /--cacert novagate-ca\.crt --connect-to ng-novagate-control-plane\.novagate-system\.svc:8080:127\.0\.0\.1:8080/);
    assert.match(text, /POST "\$API\/api\/v1\/auth\/register" .*\n.*"tenantName"/);
    assert.match(text, /answers 202 and mails a link/);
    assert.match(text, /POST "\$API\/api\/v1\/auth\/register\/confirm" .*"token"/);
    assert.match(text, /gatewayApiKey/);
    assert.match(text, /POST "\$API\/api\/v1\/tenants\/<tenant id>\/api-keys"/);
    assert.match(text, /--from-literal=GATEWAY_API_KEY=<key>/);
    assert.doesNotMatch(text, /PostgreSQL \(for trying/);
  });

  test('names the Ingress host when the Ingress is on, the load balancer address and the in-chart database URL', () => {
    const text = renderNotes(['controlPlane.ingress.enabled=true', 'controlPlane.ingress.host=api.example.com', 'controlPlane.ingress.tls.secretName=api-tls', 'gateway.service.type=LoadBalancer', 'postgresql.enabled=true']);
    assert.match(text, /API=https:\/\/api\.example\.com /);
    assert.doesNotMatch(text, /port-forward/);
    assert.match(text, /get svc ng-novagate-gateway -o jsonpath='\{\.status\.loadBalancer\.ingress\[0\]\}'/);
    assert.match(text, /DATABASE_URL=postgres:\/\/novagate:<password>@ng-novagate-postgresql\.novagate-system\.svc:5432\/novagate/);
  });
});
