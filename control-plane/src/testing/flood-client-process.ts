// Test and bench support: runs one flooding gateway (flood-client.ts) as its own process, so that the flood does
// not share a CPU with the measuring. Prints one JSON line (a FloodReport) when done.
//   node --import tsx flood-client-process.ts <url> <apiKey> <logs|acks|nacks> <seconds> [nodeId]
import { flood, type FloodMode } from './flood-client.js';

const [url, apiKey, mode, seconds, nodeId] = process.argv.slice(2);
if (url === undefined || apiKey === undefined || !['logs', 'acks', 'nacks'].includes(mode ?? '') || !(Number(seconds) > 0)) {
  process.stderr.write('usage: flood-client-process.ts <url> <apiKey> <logs|acks|nacks> <seconds> [nodeId]\n');
  process.exit(2);
}
try {
  const report = await flood(url, apiKey, mode as FloodMode, Number(seconds), nodeId);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`flood-client: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
