// Bytes of young-generation heap allocated per after() (handle kept) and per
// cancel(), on a Scheduler whose slots were reused --churn times (ids past
// 2^31) or, with --elsewhere, on a fresh one after the same heap history: the
// allocation behind bench/ab/timers-reused-slots.mjs's CPU figures. Counted
// from the new space's used size around each loop, in a young generation
// large enough that no scavenge runs meanwhile (the flags below); the JIT's
// state can move a count by 16 bytes between processes, so run it twice.
//
//   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 bench/ab/timers-reused-bytes.mjs [dist/index.js] [--churn 140] [--elsewhere]
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { churnedTimers } from '../lib/churned-timers.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { churn: { type: 'string', default: '140' }, elsewhere: { type: 'boolean', default: false }, n: { type: 'string', default: '100000' } },
});
const n = Number(values.n);
const { scheduler, handles, fire, fired, stop } = await churnedTimers({ dist: positionals[0], churn: Number(values.churn), elsewhere: values.elsewhere, n });
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
if (fired() !== 0) throw new Error('timers reused bytes: a timer fired');
console.log(`churn ${values.churn}${values.elsewhere ? ' (elsewhere)' : ''}: last id ${handles[n - 1].id}; bytes per after()+cancel() ${counts.join(' ')}`);
await stop();
