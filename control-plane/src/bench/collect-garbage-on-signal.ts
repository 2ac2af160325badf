// Preloaded into the control plane by sync.bench.ts only (with --expose-gc): SIGUSR2 runs a full garbage
// collection, so that memory per connection can be read as what the connections retain, not as garbage the
// collector has not got round to yet.
const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => collect?.());
