// The set-up bench/ab/timers-reused-slots.mjs and timers-reused-bytes.mjs
// share: a started Scheduler from a build's dist/ whose task slots were
// reused `churn` times (n after() + cancel() per round, so the ids'
// generations reach `churn`), or, with `elsewhere`, a fresh one whose
// process went through the same churn on another Scheduler (the same heap
// history, small ids). `fire` is what every timer calls; `fired()` stays 0
// unless a timer ran (every timer is set 1e9 ms ahead and cancelled).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function churnedTimers({ dist = 'dist/index.js', churn, elsewhere, n }) {
  const { Scheduler } = await import(pathToFileURL(path.resolve(dist)).href);
  const scheduler = new Scheduler().start();
  const churned = elsewhere ? new Scheduler().start() : scheduler;
  const handles = new Array(n).fill(null);
  let fired = 0;
  const fire = (i) => {
    fired += i + 1;
  };
  for (let round = 0; round < churn; round++) {
    for (let i = 0; i < n; i++) handles[i] = churned.after(1e9, fire);
    for (let i = 0; i < n; i++) handles[i].cancel();
  }
  /** Stops both schedulers. */
  const stop = async () => {
    await scheduler.stop();
    if (churned !== scheduler) await churned.stop();
  };
  return { scheduler, handles, fire, fired: () => fired, stop };
}
