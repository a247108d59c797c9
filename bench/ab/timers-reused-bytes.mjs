// Bytes of young-generation heap allocated per after() (handle kept) and per
// cancel(), on a Scheduler whose slots were reused --churn times (ids past
// 2^31) or, with --elsewhere, on a fresh one after the same heap history: the
// allocation behind bench/ab/timers-reused-slots.mjs's CPU figures. Counted
// from the new space's used size around each loop, in a young generation
// large enough that no scavenge runs meanwhile (the flags below); the JIT's
// state can move a count by 16 bytes between processes, so run it twice.
//
//   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 bench/ab/timers-reused-bytes.mjs [dist/index.js] [--churn 140] [--elsewhere]
import path from 'node:path';
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { churn: { type: 'string', default: '140' }, elsewhere: { type: 'boolean', default: false }, n: { type: 'string', default: '100000' } },
});
const { Scheduler } = await import(pathToFileURL(path.resolve(positionals[0] ?? 'dist/index.js')).href);
const n = Number(values.n);
const scheduler = new Scheduler().start();
const churned = values.elsewhere ? new Scheduler().start() : scheduler;
const handles = new Array(n).fill(null);
let fired = 0;
const fire = (i) => {
  fired += i + 1;
};
for (let round = 0; round < Number(values.churn); round++) {
  for (let i = 0; i < n; i++) handles[i] = churned.after(1e9, fire);
  for (let i = 0; i < n; i++) handles[i].cancel();
}
const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;
const counts = [];
for (let rep = 0; rep < 6; rep++) {
  globalThis.gc?.();
  const before = newSpaceUsed();
  for (let i = 0; i < n; i++) handles[i] = scheduler.after(1e9, () => fire(i));
  const afterSet = newSpaceUsed();
  for (let i = 0; i < n; i++) handles[i].cancel();
  const afterCancel = newSpaceUsed();
  counts.push(`${((afterSet - before) / n).toFixed(1)}+${((afterCancel - afterSet) / n).toFixed(1)}`);
}
if (fired !== 0) throw new Error('timers reused bytes: a timer fired');
console.log(`churn ${values.churn}${values.elsewhere ? ' (elsewhere)' : ''}: last id ${handles[n - 1].id}; bytes per after()+cancel() ${counts.join(' ')}`);
await scheduler.stop();
if (churned !== scheduler) await churned.stop();
