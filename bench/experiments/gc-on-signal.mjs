// Loaded with `node --expose-gc --import bench/experiments/gc-on-signal.mjs`: on SIGUSR2 the process
// runs a full garbage collection and prints its memory before and after to stderr, which tells the
// live heap (what the caches really hold) from garbage V8 has not collected yet. How the 10,000-group
// memory figures in docs/performance.md were split: start the operator on a plane kept with
// BENCH_KEEP_PLANE=1, then `kill -USR2 <pid>`.
const mib = (n) => Math.round(n / 2 ** 20);
process.on("SIGUSR2", () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  process.stderr.write(
    `gc-on-signal: heapUsed ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} MiB, heapTotal ${mib(before.heapTotal)} -> ${mib(after.heapTotal)} MiB, rss ${mib(before.rss)} -> ${mib(after.rss)} MiB, external ${mib(after.external)} MiB, arrayBuffers ${mib(after.arrayBuffers)} MiB\n`,
  );
});
