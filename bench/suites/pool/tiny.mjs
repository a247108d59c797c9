// Tiny tasks: n tasks that return their input, submitted at once on 2
// threads, every result checked. tasks/s from the first submission to the
// last result. The same long-lived pool serves every repetition (as a server's would).
import { nowMs } from '../../lib/measure.mjs';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { toRows } from '../../lib/rows.mjs';

async function runOnce(impl, n) {
  const t0 = nowMs();
  const promises = new Array(n);
  for (let i = 0; i < n; i++) promises[i] = impl.run('echo', i);
  const results = await Promise.all(promises);
  const t1 = nowMs();
  for (let i = 0; i < n; i++) if (results[i] !== i) throw new Error(`tiny: ${impl.name} answered ${results[i]} for ${i}`);
  return { tasksPerSec: n / ((t1 - t0) / 1000) };
}

export async function tinyCase(plan, impls, ctx) {
  for (const impl of impls) await runOnce(impl, Math.min(plan.tiny.n, 2e4));
  ctx.log(`tiny: n=${plan.tiny.n} x ${plan.tiny.reps} reps`);
  const samples = await interleaveAsync(impls, plan.tiny.reps, (impl) => runOnce(impl, plan.tiny.n));
  return toRows('tiny', plan.tiny.n, samples, { tasksPerSec: 'tasks/s' });
}
