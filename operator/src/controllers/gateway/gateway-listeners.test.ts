import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateEntityName, gatewayListenerName } from '../../gateway-api/names.js';
import type { GatewayListenerSpec, GatewayResource, ReferenceGrantResource, SecretResource } from '../../kube/resources.js';
import { bindPortOf, evaluateGatewayListeners, type ListenerInputs } from './gateway-listeners.js';

const gateway = (...listeners: GatewayListenerSpec[]): GatewayResource => ({
  metadata: { namespace: 'web', name: 'edge', generation: 1 },
  spec: { gatewayClassName: 'novagate', listeners },
});
const b64 = (text: string) => Buffer.from(text).toString('base64');
const tlsSecret = (namespace: string, name: string, type = 'kubernetes.io/tls'): SecretResource => ({
  metadata: { namespace, name },
  type,
  data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n') },
});
const inputs = (secrets: SecretResource[] = [], grants: ReferenceGrantResource[] = [], bindPrivilegedPorts = false): ListenerInputs => ({
  secretOf: (namespace, name) => secrets.find((secret) => secret.metadata.namespace === namespace && secret.metadata.name === name),
  grants: grants as never,
  bindPrivilegedPorts,
});

test('an HTTP listener becomes a config listener owned by its Gateway, a privileged port bound at port + 10000', () => {
  const [verdict] = evaluateGatewayListeners(gateway({ name: 'http', port: 80, protocol: 'HTTP', hostname: 'Shop.Example.com' }), inputs());
  assert.deepEqual(verdict?.config, { name: gatewayListenerName('web', 'edge', 'http'), port: 80, bindPort: 10080, protocol: 'HTTP', hostname: 'shop.example.com', gateway: 'web/edge' });
  assert.deepEqual(verdict?.supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
  assert.equal(verdict?.accepted.status, 'True');
  assert.equal(verdict?.conflicted.reason, 'NoConflicts');
});

test('with privileged ports bound by the provisioner, and for ports from 1024 on, no bindPort is written', () => {
  assert.equal(bindPortOf(80, true), undefined);
  assert.equal(bindPortOf(1023, false), 11023);
  assert.equal(bindPortOf(1024, false), undefined);
  const [verdict] = evaluateGatewayListeners(gateway({ name: 'http', port: 80, protocol: 'HTTP' }), inputs([], [], true));
  assert.equal(verdict?.config?.bindPort, undefined);
});

test('a protocol other than HTTP or HTTPS is Accepted=False UnsupportedProtocol and left out', () => {
  const [verdict] = evaluateGatewayListeners(gateway({ name: 'tcp', port: 5432, protocol: 'TCP' }), inputs());
  assert.equal(verdict?.config, null);
  assert.equal(verdict?.accepted.reason, 'UnsupportedProtocol');
  assert.deepEqual(verdict?.supportedKinds, []);
});

test('two listeners on one port with different protocols both conflict (ProtocolConflict); same port and hostname is HostnameConflict', () => {
  const verdicts = evaluateGatewayListeners(
    gateway(
      { name: 'a', port: 8080, protocol: 'HTTP' },
      { name: 'b', port: 8080, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } },
      { name: 'c', port: 9090, protocol: 'HTTP', hostname: 'x.example.com' },
      { name: 'd', port: 9090, protocol: 'HTTP', hostname: 'X.example.com' },
      { name: 'e', port: 9090, protocol: 'HTTP', hostname: 'y.example.com' },
    ),
    inputs([tlsSecret('web', 'cert')]),
  );
  assert.deepEqual(verdicts.map((verdict) => [verdict.name, verdict.conflicted.reason, verdict.config === null]), [
    ['a', 'ProtocolConflict', true],
    ['b', 'ProtocolConflict', true],
    ['c', 'HostnameConflict', true],
    ['d', 'HostnameConflict', true],
    ['e', 'NoConflicts', false],
  ]);
  assert.match(verdicts[0]!.conflicted.message, /port 8080 is HTTPS on listener b/);
});

test('bad certificateRefs set ResolvedRefs=False with the upstream reason and leave the listener out', () => {
  const https = (ref: { name: string; namespace?: string; kind?: string }): GatewayListenerSpec => ({ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [ref] } });
  const cases: [GatewayListenerSpec, string, RegExp][] = [
    [https({ name: 'missing' }), 'InvalidCertificateRef', /Secret web\/missing does not exist/],
    [https({ name: 'opaque' }), 'InvalidCertificateRef', /not of type kubernetes.io\/tls/],
    [https({ name: 'cert', kind: 'ConfigMap' }), 'InvalidCertificateRef', /only core\/Secret/],
    [https({ name: 'cert', namespace: 'certs' }), 'RefNotPermitted', /no ReferenceGrant/],
    [{ name: 'https', port: 443, protocol: 'HTTPS' }, 'InvalidCertificateRef', /needs tls.certificateRefs/],
  ];
  const secrets = [tlsSecret('web', 'cert'), tlsSecret('web', 'opaque', 'Opaque'), tlsSecret('certs', 'cert')];
  for (const [listener, reason, message] of cases) {
    const [verdict] = evaluateGatewayListeners(gateway(listener), inputs(secrets));
    assert.equal(verdict?.resolvedRefs.status, 'False', JSON.stringify(listener));
    assert.equal(verdict?.resolvedRefs.reason, reason);
    assert.match(verdict!.resolvedRefs.message, message);
    assert.equal(verdict?.config, null);
  }
});

test('a cross-namespace certificateRef is allowed by a ReferenceGrant from Gateways of that namespace', () => {
  const grant: ReferenceGrantResource = {
    metadata: { namespace: 'certs', name: 'gateways' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'web' }], to: [{ group: '', kind: 'Secret' }] },
  };
  const [verdict] = evaluateGatewayListeners(
    gateway({ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'cert', namespace: 'certs' }] } }),
    inputs([tlsSecret('certs', 'cert')], [grant]),
  );
  assert.equal(verdict?.resolvedRefs.status, 'True');
  assert.deepEqual(verdict?.config?.tls, { certificates: [certificateEntityName('certs', 'cert')] });
  assert.equal(verdict?.certificates[0]?.secret, 'cert');
});

test('allowedRoutes.kinds naming only other kinds is ResolvedRefs=False InvalidRouteKinds with no supported kind', () => {
  const [verdict] = evaluateGatewayListeners(gateway({ name: 'http', port: 8080, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] } }), inputs());
  assert.equal(verdict?.resolvedRefs.reason, 'InvalidRouteKinds');
  assert.deepEqual(verdict?.supportedKinds, []);
  assert.equal(verdict?.config, null);
});
