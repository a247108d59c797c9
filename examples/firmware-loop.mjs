// Seed 000 (a firmware's cooperative scheduler): managers ask for the cadence
// they need by intent, and the scheduler keeps order, fairness and counts.
// An LED refresh at 20 ms (critical), a connectivity check whose I/O may hang
// (high, fixed delay, aborted by its timeout and retried), telemetry (low),
// and a flood of background cleanup that must still move (nothing starves).
//
//   npm run build && node examples/firmware-loop.mjs
import { Scheduler } from 'timeslice';

// A failed attempt is reported through onError (the default prints the whole error).
const scheduler = new Scheduler({
  onError: (error, task) => console.log(`  ${task.name}: attempt ${task.attempt} failed (${error.code})${task.willRetry ? ', retried' : ''}`),
});
const ran = { led: 0, probes: 0, hung: 0, telemetry: 0, cleanup: 0 };

const led = scheduler.every('20ms', () => void ran.led++, { priority: 'critical', name: 'led refresh' });

scheduler.recurring(
  '60ms',
  async (ctx) => {
    ran.probes++;
    // Every third probe "hangs": the timeout aborts ctx.signal and the attempt is retried.
    const ioMs = ran.probes % 3 === 0 ? 1_000 : 5;
    if (ioMs > 5) ran.hung++;
    await ctx.sleep(ioMs);
  },
  { priority: 'high', name: 'connectivity check', timeoutMs: 40, retry: { attempts: 2, delayMs: 10 }, maxRuns: 6 },
);

scheduler.every('100ms', () => void ran.telemetry++, { priority: 'low', name: 'telemetry', maxRuns: 4 });

// Background work queued all at once: the deadline policy ages it, so it runs
// between the urgent work rather than after all of it.
const cleanups = [];
for (let i = 0; i < 200; i++) {
  const cleanup = scheduler.run(() => {
    const until = performance.now() + 3;
    while (performance.now() < until); // 3 ms of CPU each
    ran.cleanup++;
  }, { priority: 'background', name: 'cleanup' });
  cleanups.push(cleanup.done);
}

let retries = 0;
scheduler.events.addEventListener('taskretry', () => retries++);

scheduler.start();
await cleanups[99];
// Why is anything waiting? describe() says, task by task (the first few here).
console.log(String(scheduler.describe()).split('\n').slice(0, 6).join('\n'));
await Promise.all(cleanups);
const frames = led.stats();
console.log(`while 200 cleanups ran (600 ms of CPU), the LED ran ${frames.runs} frames, waiting ${(frames.waitMs / frames.runs).toFixed(2)} ms on average (${frames.missedTicks} ticks missed)`);
led.cancel();
await scheduler.onIdle();
console.log(`done: probes ${ran.probes} (${ran.hung} hung, ${retries} retried), telemetry ${ran.telemetry}, cleanup ${ran.cleanup} of 200`);
await scheduler.stop();
