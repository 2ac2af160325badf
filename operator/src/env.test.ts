import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadOperatorEnv } from './env.js';

const fail = (line: string): never => {
  throw new Error(line);
};

test('the defaults of DESIGN §8 apply when only DATABASE_URL is set', () => {
  const env = loadOperatorEnv({ DATABASE_URL: 'postgres://db/novagate' }, fail);
  assert.equal(env.WATCH_NAMESPACE, '');
  assert.equal(env.LEADER_ELECTION, true);
  assert.equal(env.METRICS_PORT, 8081);
  assert.equal(env.LOG_LEVEL, 'info');
});

test('a missing or bad value stops the process with one line naming every offending variable', () => {
  assert.throws(
    () => loadOperatorEnv({ WATCH_NAMESPACE: 'Not_A_Namespace', METRICS_PORT: 'x' }, fail),
    (error: Error) =>
      !error.message.includes('\n') &&
      /^operator: invalid environment: /.test(error.message) &&
      /DATABASE_URL is required/.test(error.message) &&
      /WATCH_NAMESPACE/.test(error.message) &&
      /METRICS_PORT/.test(error.message),
  );
});

test('GATEWAY_PROVISIONER defaults to none; cluster and local start only with what they need, named in one line', () => {
  const base = { DATABASE_URL: 'postgres://db/novagate' };
  const env = loadOperatorEnv(base, fail);
  assert.equal(env.GATEWAY_PROVISIONER, 'none');
  assert.equal(env.GATEWAY_SERVICE_TYPE, 'ClusterIP');
  assert.equal(env.GATEWAY_REPLICAS, 1);
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'cluster' }, fail), (error: Error) =>
    /GATEWAY_CONTROL_PLANE_URL is required with GATEWAY_PROVISIONER=cluster; GATEWAY_IMAGE is required with GATEWAY_PROVISIONER=cluster$/.test(error.message));
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'local' }, fail), /GATEWAY_CONTROL_PLANE_URL is required with GATEWAY_PROVISIONER=local$/);
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'docker' }, fail), /GATEWAY_PROVISIONER/);
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'local', GATEWAY_CONTROL_PLANE_URL: 'https://cp' }, fail), /GATEWAY_CONTROL_PLANE_URL must be the control plane's wss:\/\//);
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'cluster', GATEWAY_CONTROL_PLANE_URL: 'wss://cp:8443', GATEWAY_IMAGE: 'gw:1', GATEWAY_REPLICAS: '1.5' }, fail), /GATEWAY_REPLICAS must be an integer/);
  assert.throws(() => loadOperatorEnv({ ...base, GATEWAY_RESOURCES: '{not json' }, fail), /GATEWAY_RESOURCES/);
  const cluster = loadOperatorEnv({ ...base, GATEWAY_PROVISIONER: 'cluster', GATEWAY_CONTROL_PLANE_URL: 'wss://cp:8443', GATEWAY_IMAGE: 'gw:1', GATEWAY_SERVICE_TYPE: 'LoadBalancer' }, fail);
  assert.equal(cluster.GATEWAY_SERVICE_TYPE, 'LoadBalancer');
  assert.deepEqual(cluster.GATEWAY_RESOURCES, { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } });
});

test('GATEWAY_BIND_PRIVILEGED_PORTS=true with GATEWAY_PROVISIONER=cluster stops the operator with one line; with local it starts', () => {
  const cluster = { DATABASE_URL: 'postgres://db/novagate', GATEWAY_PROVISIONER: 'cluster', GATEWAY_CONTROL_PLANE_URL: 'wss://cp:8443', GATEWAY_IMAGE: 'gw:1' };
  assert.throws(
    () => loadOperatorEnv({ ...cluster, GATEWAY_BIND_PRIVILEGED_PORTS: 'true' }, fail),
    (error: Error) => !error.message.includes('\n') && /^operator: invalid environment: GATEWAY_BIND_PRIVILEGED_PORTS=true cannot work with GATEWAY_PROVISIONER=cluster/.test(error.message),
  );
  assert.equal(loadOperatorEnv(cluster, fail).GATEWAY_BIND_PRIVILEGED_PORTS, false);
  assert.equal(loadOperatorEnv({ ...cluster, GATEWAY_PROVISIONER: 'local', GATEWAY_BIND_PRIVILEGED_PORTS: 'true' }, fail).GATEWAY_BIND_PRIVILEGED_PORTS, true);
});
