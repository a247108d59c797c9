// Where a cluster-mode job's allocations come from (internals, not a product
// row): as cluster-cpu-profile.mjs, the postgres suite's timeslice worker at
// `--workers` in this process runs n no-op one-offs, added beforehand
// (untimed), and over the run alone V8's sampling heap profiler counts every
// allocation (those the collector took since included), by the function
// that made it. Prints bytes allocated per job, by function and by file.
// Usage: npm run build && node bench/ab/cluster-alloc-profile.mjs [--n 10000] [--workers 4] [--top 40]
import '../../scripts/current-dist.mjs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '../suites/postgres/database.mjs';
import { timeslice } from '../suites/postgres/timeslice.mjs';
import { untilNoneRemain } from '../suites/postgres/throughput.mjs';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '10000' }, workers: { type: 'string', default: '4' }, top: { type: 'string', default: '40' } },
});
const n = Number(values.n);
const workers = Number(values.workers);

const db = await createDatabase('cluster_alloc_profile');
const admin = new pg.Client({ connectionString: db.connectionString });
await admin.connect();
const inspector = new Session();
inspector.connect();
try {
  await timeslice.prepare(db.connectionString, n);
  let ran = 0;
  let allRan;
  const done = new Promise((resolve) => (allRan = resolve));
  const worker = await timeslice.open({ connectionString: db.connectionString, workers, onRun: () => ++ran === n && allRan() });
  await inspector.post('HeapProfiler.enable');
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
  });
  await worker.start();
  await done;
  await untilNoneRemain(admin, timeslice.remainingSql, performance.now() + 60_000, 'cluster-alloc-profile');
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  await worker.stop();
  const fnBytes = new Map();
  const fileBytes = new Map();
  let total = 0;
  const walk = (node) => {
    const f = node.callFrame;
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '$1/') || `(${f.functionName || 'native'})`;
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fnBytes.set(key, (fnBytes.get(key) ?? 0) + node.selfSize);
    fileBytes.set(file, (fileBytes.get(file) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  process.stdout.write(`n=${n} workers=${workers}: ${(total / n).toFixed(0)} bytes allocated per job (sampled)\n`);
  const show = (title, map, top) => {
    process.stdout.write(`${title} (bytes/job)\n`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`  ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${(bytes / n).toFixed(0).padStart(6)}  ${key}\n`);
    }
  };
  show('by file', fileBytes, 20);
  show('by function', fnBytes, Number(values.top));
} finally {
  inspector.disconnect();
  await admin.end();
  await db.drop();
}
