// Fairness: three tenants with weights 1:2:4, each keeping 4 CPU-bound 50 ms
// tasks outstanding (a finished one is replaced at once), for a window of
// `windowMs` on 2 threads under the fair policy. Each task reports the wall
// intervals it ran (its run segments); a tenant's CPU is the sum of its
// segments clipped to the window. Share = tenant CPU / all tenants' CPU,
// against the target weight / 7; Jain's index over share / target (1 = exact).
// Raw Piscina runs the same tenants with the same outstanding tasks (it has no
// weights: first come, first served). The window stays open past windowMs
// until every tenant has finished a task inside it: on a loaded machine a
// short window (--quick) could otherwise close before any work was done in it
// and give no shares at all. The segments inside the window are also kept,
// for the shares over time (shares-over-time.mjs).
import { sharesOverTime } from './shares-over-time.mjs';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const WEIGHTS = [1, 2, 4];

export async function fairnessOnce(impl, { windowMs, taskMs, outstanding }) {
  const cpu = WEIGHTS.map(() => 0);
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let stopping = false;
  const pending = new Set();
  const finishedInWindow = WEIGHTS.map(() => 0);
  const inWindow = WEIGHTS.map(() => []);
  const account = (tenant, segments) => {
    for (let i = 0; i < segments.length; i += 2) {
      const from = Math.max(segments[i], windowStart);
      const to = Math.min(segments[i + 1], windowEnd);
      if (to > from) {
        cpu[tenant] += to - from;
        inWindow[tenant].push([from, to]);
      }
    }
  };
  const submit = (tenant) => {
    const p = impl.run('tenant', taskMs, { weight: WEIGHTS[tenant] * 1024 }).then((segments) => {
      pending.delete(p);
      // Its last segment ended inside the window (the window is open until windowEnd is set).
      if (segments.at(-1) > windowStart && windowEnd === Number.POSITIVE_INFINITY) finishedInWindow[tenant]++;
      account(tenant, segments);
      if (!stopping) submit(tenant);
    });
    pending.add(p);
  };
  for (let k = 0; k < outstanding; k++) for (let t = 0; t < WEIGHTS.length; t++) submit(t);
  // A warm-up second before the window opens: every tenant has had its turn.
  await sleep(Math.min(1000, windowMs / 4));
  windowStart = now();
  await sleep(windowMs);
  while (finishedInWindow.some((count) => count === 0)) await sleep(10);
  windowEnd = now();
  stopping = true;
  await Promise.all(pending);
  const total = cpu.reduce((a, b) => a + b, 0);
  const weightSum = WEIGHTS.reduce((a, b) => a + b, 0);
  const shares = cpu.map((c) => c / total);
  const ratios = shares.map((s, i) => s / (WEIGHTS[i] / weightSum));
  const jain = ratios.reduce((a, b) => a + b, 0) ** 2 / (ratios.length * ratios.reduce((a, b) => a + b * b, 0));
  const out = {
    jain,
    // Relative: |share / target - 1|, the strict reading of "within 3% of target".
    maxDeviationPct: Math.max(...ratios.map((r) => Math.abs(r - 1) * 100)),
    // Absolute: |share - target| in percentage points of all CPU.
    maxDeviationPoints: Math.max(...shares.map((s, i) => Math.abs(s - WEIGHTS[i] / weightSum) * 100)),
    cpuMs: total,
    sharesOverTime: sharesOverTime(inWindow, windowStart, windowEnd),
  };
  shares.forEach((s, i) => {
    out[`share${WEIGHTS[i]}Pct`] = s * 100;
  });
  return out;
}
