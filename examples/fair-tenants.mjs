// Seed 001 (a preemptive CFS scheduler): tenants share the CPU in proportion
// to their weight, by virtual runtime, whatever they ask for. Three tenants
// each keep a CPU-bound job ready for the whole run; their jobs check
// shouldYield() (their quantum is spent) and resume from saved state, so the
// policy, not the order of arrival, decides who runs.
//
//   npm run build && node examples/fair-tenants.mjs
import { Scheduler } from 'timeslice';

const RUN_MS = 1000;
const scheduler = new Scheduler({ policy: 'fair' }); // quantumMs 10 (the default)
const tenants = [
  { name: 'free', nice: 5 }, // weight 335
  { name: 'pro', nice: 0 }, // weight 1024
  { name: 'enterprise', nice: -5 }, // weight 3121
];
const cpuMs = new Map(tenants.map((t) => [t.name, 0]));
const end = performance.now() + RUN_MS;

for (const { name, nice } of tenants) {
  // One long job per tenant: 1 ms steps until the run is over, handing the
  // thread back whenever its quantum is spent (and resuming from its state).
  scheduler.run(
    (ctx) => {
      let steps = ctx.state ?? 0;
      while (performance.now() < end) {
        const stepEnd = performance.now() + 1;
        while (performance.now() < stepEnd);
        cpuMs.set(name, cpuMs.get(name) + 1);
        steps++;
        if (ctx.shouldYield()) {
          ctx.saveState(steps);
          return;
        }
      }
      return steps;
    },
    { name, nice },
  );
}

scheduler.start();
await scheduler.onIdle();
const total = [...cpuMs.values()].reduce((a, b) => a + b, 0);
const weights = { free: 335, pro: 1024, enterprise: 3121 };
const weightSum = Object.values(weights).reduce((a, b) => a + b, 0);
for (const { name, nice } of tenants) {
  const share = (100 * cpuMs.get(name)) / total;
  const target = (100 * weights[name]) / weightSum;
  console.log(`${name.padEnd(10)} nice ${String(nice).padStart(2)}: ${share.toFixed(1)}% of the CPU (weight's share ${target.toFixed(1)}%)`);
}
console.log(`${scheduler.stats().interrupted} times a job handed the thread back and resumed later`);
await scheduler.stop();
