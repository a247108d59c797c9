// scheduleMany's phases by process CPU, this checkout's build and another's
// (BASE=<dir>, built: e.g. `git archive main | tar -x -C <dir>`, a
// node_modules link, npm run build) interleaved in one process: building the
// records (from the call until the store's putTasks starts), putTasks (the
// transaction: encoding and inserting the rows), adopting (making each task
// live, until the call resolves). A phase's difference shows here when the
// whole call's is lost in the machine's noise. Paired differences of putTasks.
//   BASE=/tmp/base node bench/ab/durable-enqueue-phases-ab.mjs [n] [reps]
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';

if (!process.env.BASE) throw new Error('BASE=<dir of another built checkout> is required');
const roots = { new: path.resolve(fileURLToPath(import.meta.url), '../../..'), base: path.resolve(process.env.BASE) };
const n = Number(process.argv[2] ?? 10000); const reps = Number(process.argv[3] ?? 9);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
let marks = {};
const builds = {};
for (const root of Object.values(roots)) requireCurrentDist(root);
for (const [name, root] of Object.entries(roots)) {
  const { Scheduler } = await import(`${root}/dist/index.js`);
  const { SqliteStore } = await import(`${root}/dist/store/sqlite.js`);
  const orig = SqliteStore.prototype.putTasks;
  SqliteStore.prototype.putTasks = async function (tasks) { marks.p0 = cpu(); try { return await orig.call(this, tasks); } finally { marks.p1 = cpu(); } };
  builds[name] = { Scheduler, SqliteStore };
}
const res = Object.fromEntries(Object.keys(roots).map((k) => [k, { build: [], put: [], adopt: [], total: [] }]));
for (let rep = -1; rep < reps; rep++) {
  for (const name of rep % 2 ? Object.keys(roots).reverse() : Object.keys(roots)) {
    const { Scheduler, SqliteStore } = builds[name];
    const file = path.join(tmpdir(), `durable-enqueue-phases-${process.pid}-${name}-${rep}.db`);
    const scheduler = new Scheduler({ store: new SqliteStore({ path: file, synchronous: 'normal' }), clockWatch: false, retention: false });
    scheduler.define('noop', () => {});
    await scheduler.schedule({ id: 'warm-up', fn: 'noop', after: '1h' }); await scheduler.unschedule('warm-up');
    marks = {};
    const t0 = cpu();
    const list = []; for (let i = 0; i < n; i++) list.push({ id: `job-${i}`, fn: 'noop', params: { i }, after: 0 });
    await scheduler.scheduleMany(list);
    const t1 = cpu();
    await scheduler.stop();
    for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
    if (rep < 0) continue;
    const r = res[name];
    r.build.push((marks.p0 - t0) / n); r.put.push((marks.p1 - marks.p0) / n); r.adopt.push((t1 - marks.p1) / n); r.total.push((t1 - t0) / n);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, r] of Object.entries(res)) console.log(name, Object.entries(r).map(([k, v]) => `${k} ${med(v).toFixed(2)} [${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}]`).join(', '), 'us CPU/task');
const paired = res.new.put.map((x, i) => x - res.base.put[i]);
console.log('put new - base, paired:', paired.map((x) => x.toFixed(2)).join(' '), 'median', med(paired).toFixed(2));
