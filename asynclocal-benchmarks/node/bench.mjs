// The Node.js peer of asynclocal's benchmarks: the same micro-operations with Node's own
// AsyncLocalStorage, so the Java numbers can be read beside the design they imitate.
//
//   node bench.mjs [--quick]      prints one JSON object on stdout
//
// Operations, each in ns per operation (mean of the measured iterations, after warm-up ones):
//   getStore        one read with a store current (inside one als.run)
//   run             als.run(value, fn) where fn reads the store once: enter, read, leave
//   promiseThen     one stage of a chain of 64 .then() callbacks registered in a store's context,
//                   each reading the store (the peer of the CompletableFuture chain)
//   setImmediate    one of a burst of 64 setImmediate callbacks scheduled in a store's context,
//                   each reading the store, awaited together (the peer of the executor-hop burst)
// and the floors of the two async ones, measured first, before any AsyncLocalStorage has ever
// been entered: on Node 20 entering one installs the promise hooks for the whole process, so a
// floor measured later would already pay for them.
import { AsyncLocalStorage } from 'node:async_hooks';

const quick = process.argv.includes('--quick');
const WARMUP = quick ? 5 : 10;
const ITERATIONS = quick ? 3 : 10;
const ITERATION_MS = quick ? 200 : 300;
const BURST = 64;
const VALUE = { name: 'value' };

let seen = 0;       // every read that found VALUE; checked after each batch, so nothing is dead code
let plain = null;   // what the floors read: a module variable set around the work

function check(expected, what) {
  if (seen !== expected) {
    throw new Error(`${what}: ${seen} of ${expected} reads saw the value`);
  }
  seen = 0;
}

// Runs batch(n) (which performs n operations and returns a promise or nothing) for WARMUP and
// then ITERATIONS iterations of about ITERATION_MS each; returns ns per operation per iteration.
async function measure(name, batch, batchSize) {
  let n = batchSize;
  const perIteration = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    let ops = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(ITERATION_MS) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      await batch(n);
      ops += n;
      now = process.hrtime.bigint();
    }
    if (i >= WARMUP) {
      perIteration.push(Number(now - start) / ops);
    }
  }
  const mean = perIteration.reduce((a, b) => a + b, 0) / perIteration.length;
  const sd = Math.sqrt(perIteration.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, perIteration.length - 1));
  process.stderr.write(`node ${process.version} ${name}: ${mean.toFixed(2)} ns/op\n`);
  return { nsPerOp: mean, stdev: sd, min: Math.min(...perIteration), iterations: perIteration };
}

const als = new AsyncLocalStorage();
const readStore = () => { if (als.getStore() === VALUE) seen++; };
const readPlain = () => { if (plain === VALUE) seen++; };

function thenChain(read) {
  let p = Promise.resolve();
  for (let i = 0; i < BURST; i++) {
    p = p.then(read);
  }
  return p;
}

function immediateBurst(read) {
  return new Promise((resolve) => {
    let left = BURST;
    for (let i = 0; i < BURST; i++) {
      setImmediate(() => {
        read();
        if (--left === 0) resolve();
      });
    }
  });
}

const results = {};

// floors first (see above)
results.promiseThen_floor = await measure('promiseThen (floor)', async (n) => {
  for (let done = 0; done < n; done += BURST) {
    plain = VALUE;
    await thenChain(readPlain);
    plain = null;
    check(BURST, 'promiseThen floor');
  }
}, BURST * 16);
results.setImmediate_floor = await measure('setImmediate (floor)', async (n) => {
  for (let done = 0; done < n; done += BURST) {
    plain = VALUE;
    await immediateBurst(readPlain);
    plain = null;
    check(BURST, 'setImmediate floor');
  }
}, BURST * 16);

results.getStore = await measure('getStore', (n) => als.run(VALUE, () => {
  for (let i = 0; i < n; i++) {
    readStore();
  }
  check(n, 'getStore');
}), 100_000);

results.run = await measure('run', (n) => {
  for (let i = 0; i < n; i++) {
    als.run(VALUE, readStore);
  }
  check(n, 'run');
}, 100_000);

results.promiseThen = await measure('promiseThen', async (n) => {
  for (let done = 0; done < n; done += BURST) {
    await als.run(VALUE, () => thenChain(readStore));
    check(BURST, 'promiseThen');
  }
}, BURST * 16);

results.setImmediate = await measure('setImmediate', async (n) => {
  for (let done = 0; done < n; done += BURST) {
    await als.run(VALUE, () => immediateBurst(readStore));
    check(BURST, 'setImmediate');
  }
}, BURST * 16);

process.stdout.write(JSON.stringify({
  node: process.version,
  v8: process.versions.v8,
  platform: `${process.platform} ${process.arch}`,
  mode: quick ? 'quick' : 'full',
  warmupIterations: WARMUP,
  iterations: ITERATIONS,
  iterationMs: ITERATION_MS,
  burst: BURST,
  results,
}, null, 2) + '\n');
