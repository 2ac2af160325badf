// Pod addresses for the echo stand-ins. The API server refuses loopback addresses in EndpointSlices, so each pod
// gets an address of 198.18.0.0/15 (RFC 2544's benchmarking range, never routed beyond a test network) added to
// the loopback interface as a /32, as a pod network would give it one; the addresses this run added are removed
// at its end. Each run takes a /24 of that range no other run uses, so runs and tests can share the machine.
// Adding an address needs CAP_NET_ADMIN (root in a container); without it the run stops saying so.
import { execFile } from 'node:child_process';

function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (error, stdout, stderr) => (error ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`)) : resolve(stdout)));
  });
}

/** The IPv4 addresses `ip -4 -o addr show dev lo` lists. */
export function loopbackAddresses(ipOutput: string): Set<string> {
  return new Set([...ipOutput.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)].map((match) => match[1]!));
}

/** The first address of a random 198.18.0.0/15 /24 none of whose addresses is on lo yet (`198.19.7.1`). */
export async function freePodNetwork(random: () => number = Math.random): Promise<string> {
  const present = loopbackAddresses(await ip(['-4', '-o', 'addr', 'show', 'dev', 'lo']));
  const taken = new Set([...present].map((address) => address.split('.').slice(0, 3).join('.')));
  for (let attempt = 0; attempt < 64; attempt++) {
    const block = Math.floor(random() * 512);
    const prefix = `198.${18 + (block >> 8)}.${block & 255}`;
    if (!taken.has(prefix)) return `${prefix}.1`;
  }
  throw new Error('no free /24 left in 198.18.0.0/15 on lo');
}

/** Adds the missing addresses to lo; returns a function removing exactly those it added. */
export async function addPodAddresses(addresses: readonly string[]): Promise<() => Promise<void>> {
  const present = loopbackAddresses(await ip(['-4', '-o', 'addr', 'show', 'dev', 'lo']));
  const added: string[] = [];
  const remove = async () => {
    for (const address of added.splice(0)) await ip(['addr', 'del', `${address}/32`, 'dev', 'lo']).catch(() => undefined);
  };
  try {
    for (const address of addresses) {
      if (present.has(address)) continue;
      await ip(['addr', 'add', `${address}/32`, 'dev', 'lo']);
      added.push(address);
    }
  } catch (error) {
    await remove();
    throw new Error(`cannot give the echo pods their addresses (${error instanceof Error ? error.message : String(error)}); the run needs CAP_NET_ADMIN to add ${addresses[0]}… as /32 to lo`);
  }
  return remove;
}
