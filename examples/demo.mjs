// timeslice demo: a mixed workload on the real clock for about seven seconds,
// then a summary. Every number printed comes from the scheduler (stats(),
// task handles' stats(), events, describe()) or from counting what the tasks
// themselves did; nothing is hard-coded.
//
//   npm run build && node examples/demo.mjs
//
// The workload is drawn from the firmware seed's intent classes (a 20 ms LED
// refresh, connectivity checks, maintenance, background work), a stateful task
// that saves its progress when asked to yield and resumes from it (as the Go
// micro-scheduler seed's interruptible tasks do), a cron job read in a named
// time zone, and failures that are retried.
import { Scheduler } from 'timeslice';

const DEMO_MS = 7000;
const LED_PERIOD_MS = 20;
const SLOW_FRAME = 200; // this LED frame takes too long, on purpose, to show an overrun
const SLOW_FRAME_MS = 30;
const NET_DELAY_MS = 300;
const NET_TIMEOUT_MS = 200;
const HANGING_PROBE_EVERY = 7; // every 7th probe "hangs" (a simulated dead link)
const FEED_PERIOD_MS = 100;
const COMPACTS_PER_FEED = 5;
const IMAGE_BYTES = 1536 * 1024 * 1024; // synthetic, generated on the fly: ~2 s of CPU per pass on a laptop
const IMAGE_CHUNK_BYTES = 64 * 1024;
const VERIFY_GAP_MS = 200;
const CRON = '*/2 * * * * *';
const TIME_ZONE = 'Europe/London';
const BUTTON_AT_MS = [2000, 3500, 5000];
const OTA_AT_MS = 4000;

// The deadline policy (the default) keys a ready task by when it became ready
// plus its class's relative deadline, so waiting work ages and nothing
// starves. The default deadlines (low 10 s, background 60 s) are scaled down
// so the aging shows within seconds: a background task that has waited 1 s
// longer than a low one goes first.
const scheduler = new Scheduler({ deadlinesMs: { low: '2s', background: '3s' } });
const t0 = performance.now();

const ms = (value) => value.toFixed(2);
const seconds = (atMs) => ((atMs - t0) / 1000).toFixed(2).padStart(5);
const note = (atMs, text) => console.log(`      ${seconds(atMs)} s  ${text}`);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const percent = (offset) => `${((100 * offset) / IMAGE_BYTES).toFixed(1)}%`;

// ---- work ----

/** A deterministic byte of the synthetic image at `offset`. */
const imageByte = (offset) => (Math.imul(offset, 2654435761) >>> 24) & 0xff;

/** FNV-1a over the bytes [from, to) of the synthetic image. */
function fnv1a(hash, from, to) {
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ imageByte(i), 16777619);
  return hash >>> 0;
}

/** One maintenance step: a fixed amount of CPU (building and sorting 2000 numbers). */
function compactStep(seed) {
  const items = Array.from({ length: 2000 }, (_, i) => (Math.imul(i + seed, 2246822519) >>> 0) % 100000);
  return items.sort((a, b) => a - b)[0];
}

function busyFor(durationMs) {
  const endMs = performance.now() + durationMs;
  while (performance.now() < endMs) {}
}

// ---- what the demo counts itself (everything else comes from the scheduler) ----

const counts = { compactsQueued: 0, compactsDone: 0, compactWaitMs: 0, compactMaxWaitMs: 0, cronFired: 0, probes: 0 };
const perSecond = { interrupts: 0, retries: 0, fails: 0 };
const image = { passes: 0, offset: 0, passStart: undefined, resumeNote: undefined };

// ---- the tasks ----

let frames = 0;
const led = scheduler.every(
  LED_PERIOD_MS,
  () => {
    frames++;
    if (frames === SLOW_FRAME) busyFor(SLOW_FRAME_MS);
  },
  { name: 'led refresh', priority: 'critical' },
);

const net = scheduler.recurring(
  NET_DELAY_MS,
  async (ctx) => {
    if (ctx.attempt === 1) counts.probes++;
    const hangs = ctx.attempt === 1 && counts.probes % HANGING_PROBE_EVERY === 0;
    // The round trip of a connectivity probe; a hanging one is aborted by timeoutMs (ctx.sleep rejects).
    await ctx.sleep(hangs ? 1000 : 30 + (counts.probes % 4) * 10);
  },
  { name: 'net check', priority: 'high', timeoutMs: NET_TIMEOUT_MS, retry: { attempts: 2, backoff: 'fixed', delayMs: 100 } },
);

const feed = scheduler.every(
  FEED_PERIOD_MS,
  () => {
    for (let i = 0; i < COMPACTS_PER_FEED; i++) {
      const seed = counts.compactsQueued++;
      const compact = scheduler.run(
        () => {
          compactStep(seed);
          const { waitMs } = compact.stats();
          counts.compactsDone++;
          counts.compactWaitMs += waitMs;
          counts.compactMaxWaitMs = Math.max(counts.compactMaxWaitMs, waitMs);
        },
        { name: 'compact', priority: 'background' },
      );
    }
  },
  { name: 'maint feed', priority: 'normal' },
);

const verify = scheduler.recurring(
  VERIFY_GAP_MS,
  (ctx) => {
    if (ctx.state === undefined) image.passStart = verify.stats();
    else if (image.resumeNote !== undefined) {
      note(performance.now(), `verify image resumed from its saved state at ${image.resumeNote}`);
      image.resumeNote = undefined;
    }
    let { offset, hash } = ctx.state ?? { offset: 0, hash: 0x811c9dc5 };
    while (offset < IMAGE_BYTES) {
      hash = fnv1a(hash, offset, offset + IMAGE_CHUNK_BYTES);
      offset += IMAGE_CHUNK_BYTES;
      image.offset = offset;
      if (offset < IMAGE_BYTES && ctx.shouldYield()) {
        // Returning after saveState() while shouldYield() was true requeues the run.
        ctx.saveState({ offset, hash });
        return;
      }
    }
    image.passes++;
    const now = verify.stats();
    const runs = now.runs - image.passStart.runs + 1;
    const resumed = now.interruptions - image.passStart.interruptions;
    note(performance.now(), `verify image pass ${image.passes} done in ${plural(runs, 'run')} (resumed ${resumed}x): fnv1a 0x${hash.toString(16).padStart(8, '0')}`);
    image.offset = 0;
  },
  { name: 'verify image', priority: 'low' },
);

const wallClock = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeStyle: 'medium' });
const cron = scheduler.cron(
  CRON,
  () => {
    counts.cronFired++;
    note(performance.now(), `cron '${CRON}' fired: telemetry snapshot at ${wallClock.format(Date.now())} ${TIME_ZONE}`);
  },
  { name: 'telemetry', priority: 'normal', timezone: TIME_ZONE },
);

BUTTON_AT_MS.forEach((delayMs, i) => {
  const button = scheduler.after(
    delayMs,
    () => {
      const { waitMs } = button.stats();
      const { state } = verify.stats();
      const where = state === 'ready' ? `verify image had yielded at ${percent(image.offset)} (state saved)` : `verify image was ${state}`;
      note(performance.now(), `button press #${i + 1} (critical) ran ${ms(waitMs)} ms after due; ${where}`);
      if (state === 'ready') image.resumeNote = percent(image.offset);
    },
    { name: 'button press', priority: 'critical' },
  );
});

scheduler.after(
  OTA_AT_MS,
  () => {
    throw new Error('update server unreachable (simulated)');
  },
  { name: 'ota check', priority: 'normal', retry: { attempts: 2, backoff: 'fixed', delayMs: 200 } },
);

// ---- events ----

const lastRuntimeMs = new Map();
const errorText = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
scheduler.events.addEventListener('taskfinish', (e) => lastRuntimeMs.set(e.detail.id, e.detail.runtimeMs));
scheduler.events.addEventListener('taskinterrupt', () => perSecond.interrupts++);
scheduler.events.addEventListener('taskretry', (e) => {
  perSecond.retries++;
  const d = e.detail;
  note(d.atMs, `${d.name} attempt ${d.attempt} failed (${errorText(d.error)}); retry in ${Math.round(d.delayMs)} ms`);
});
scheduler.events.addEventListener('taskfail', (e) => {
  perSecond.fails++;
  const d = e.detail;
  note(d.atMs, `${d.name} failed after ${plural(d.attempt, 'attempt')}: ${errorText(d.error)}`);
});
scheduler.events.addEventListener('taskoverrun', (e) => {
  const d = e.detail;
  const took = lastRuntimeMs.get(d.id);
  note(d.atMs, `${d.name} overran its ${LED_PERIOD_MS} ms period${took === undefined ? '' : ` (the run took ${ms(took)} ms)`}`);
});
scheduler.events.addEventListener('taskskip', (e) => {
  const d = e.detail;
  note(d.atMs, `${d.name} skipped ${plural(d.count, 'tick')}: ${d.reason} (no catch-up burst)`);
});

// ---- the live view: one line per second ----

// [header, width] per column; groups are separated by '│'.
const GROUPS = [
  [['t s', 4]],
  [['led runs', 8], ['late ms', 7], ['missed', 6]],
  [['net runs', 8]],
  [['cron', 4]],
  [['compact done', 12], ['queued', 6]],
  [['verify at', 9], ['runs', 4], ['intr', 4]],
  [['retry', 5], ['fail', 4]],
];
const formatRow = (values) => {
  let i = 0;
  return GROUPS.map((group) => group.map(([, width]) => String(values[i++]).padStart(width)).join(' ')).join(' │ ');
};
const HEADER = formatRow(GROUPS.flat().map(([header]) => header));
let previous = { led: led.stats(), net: net.stats(), verify: verify.stats(), compactsDone: 0, cronFired: 0 };

function liveLine() {
  const now = { led: led.stats(), net: net.stats(), verify: verify.stats(), compactsDone: counts.compactsDone, cronFired: counts.cronFired };
  const ledRuns = now.led.runs - previous.led.runs;
  console.log(
    formatRow([
      ((performance.now() - t0) / 1000).toFixed(1),
      ledRuns,
      ms(ledRuns > 0 ? (now.led.waitMs - previous.led.waitMs) / ledRuns : 0),
      now.led.missedTicks - previous.led.missedTicks,
      now.net.runs - previous.net.runs,
      now.cronFired - previous.cronFired,
      now.compactsDone - previous.compactsDone,
      counts.compactsQueued - counts.compactsDone,
      percent(image.offset),
      now.verify.runs - previous.verify.runs,
      perSecond.interrupts,
      perSecond.retries,
      perSecond.fails,
    ]),
  );
  previous = now;
  perSecond.interrupts = 0;
  perSecond.retries = 0;
  perSecond.fails = 0;
}

// ---- run ----

console.log(`timeslice demo: ${DEMO_MS / 1000} s of mixed work on the real clock (Node ${process.version}, ${scheduler.policy} policy)`);
console.log(`  led refresh   critical  every ${LED_PERIOD_MS} ms, fixed rate (frame ${SLOW_FRAME} is made ${SLOW_FRAME_MS} ms slow on purpose)`);
console.log(`  net check     high      ${NET_DELAY_MS} ms after each check ends; async probe, every ${HANGING_PROBE_EVERY}th hangs: timeout ${NET_TIMEOUT_MS} ms, 1 retry`);
console.log(`  maint feed    normal    every ${FEED_PERIOD_MS} ms queues ${COMPACTS_PER_FEED} 'compact' one-shots (background, CPU-bound)`);
console.log(`  verify image  low       checksums ${IMAGE_BYTES >> 20} MiB, returns on ctx.shouldYield() after ctx.saveState()`);
console.log(`  telemetry     normal    cron '${CRON}' in ${TIME_ZONE}`);
console.log(`  button press  critical  one-shots at ${BUTTON_AT_MS.map((t) => `${t / 1000} s`).join(', ')}; ota check (normal) at ${OTA_AT_MS / 1000} s always fails`);
console.log('');
console.log('Each second: runs started per task, led lateness (avg wait after due) and missed ticks, compact tasks');
console.log('done and still queued, verify progress, its runs (resumed segments) and interruptions, retries, failures.');
console.log(HEADER);
console.log(HEADER.replace(/[^│]/g, '─').replace(/│/g, '┼'));

scheduler.start();
await new Promise((resolve) => {
  let elapsedS = 0;
  const ticker = setInterval(() => {
    liveLine();
    if (++elapsedS * 1000 >= DEMO_MS) {
      clearInterval(ticker);
      resolve();
    }
  }, 1000);
});

// describe() is most telling while work is ready to run; verify image is
// ready except in its 200 ms gap between passes, so wait that out if needed.
const describeWaitStartMs = performance.now();
while (scheduler.stats().ready === 0 && performance.now() - describeWaitStartMs < 1000) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const description = scheduler.describe();
const { inflight } = scheduler.stats();
const stopStartMs = performance.now();
await scheduler.stop({ drain: true });
const stopMs = performance.now() - stopStartMs;

// ---- summary ----

const endMs = performance.now();
const s = scheduler.stats();
console.log('');
console.log(`stop({ drain: true }) waited ${ms(stopMs)} ms for ${plural(inflight, 'run')} in flight. scheduler.stats(): ${s.state}`);
console.log(`  ${s.scheduled} tasks registered, ${s.executed} runs started, ${s.completed} completed, ${s.interrupted} interrupted and requeued`);
console.log(`  ${plural(s.failed, 'failed run')} (${plural(s.timeouts, 'timeout')}), ${s.retried} retried; ${plural(s.overruns, 'overrun')}, ${plural(s.missedTicks, 'missed tick')}`);
console.log(`  ${ms(s.runtimeMs)} ms in runs over ${ms(endMs - t0)} ms (async runs count their time in flight); left queued: ${s.ready} ready, ${s.waiting} waiting`);
console.log('');
const COLUMNS = [
  ['task', 13],
  ['priority', 9],
  ['runs', 5],
  ['yields', 6],
  ['fail', 4],
  ['overrun', 7],
  ['missed', 6],
  ['max run ms', 10],
  ['avg wait ms', 11],
];
const tableRow = (cells) => cells.map((c, i) => (i < 2 ? String(c).padEnd(COLUMNS[i][1]) : String(c).padStart(COLUMNS[i][1]))).join(' ');
console.log(tableRow(COLUMNS.map(([header]) => header)));
for (const handle of [led, net, feed, verify, cron]) {
  const t = handle.stats();
  console.log(tableRow([t.name, t.priority, t.runs, t.interruptions, t.failures, t.overruns, t.missedTicks, ms(t.maxRuntimeMs), ms(t.runs > 0 ? t.waitMs / t.runs : 0)]));
}
const ledStats = led.stats();
const ticks = Math.floor((ledStats.lastRunMs - t0) / LED_PERIOD_MS);
console.log(
  `  led refresh: ${ledStats.runs} runs for ${ticks} ticks of ${LED_PERIOD_MS} ms up to its last run, ` +
    `${ledStats.missedTicks} missed; avg ${ms(ledStats.waitMs / ledStats.runs)} ms late`,
);
const compactAvgWaitMs = counts.compactsDone > 0 ? counts.compactWaitMs / counts.compactsDone : 0;
console.log(
  `  compact (one-shots, each run's own stats()): ${counts.compactsDone} of ${counts.compactsQueued} done, ` +
    `wait avg ${ms(compactAvgWaitMs)} ms, max ${ms(counts.compactMaxWaitMs)} ms`,
);
console.log(`  verify image: ${image.passes} full pass${image.passes === 1 ? '' : 'es'}, the current one at ${percent(image.offset)}`);
console.log('');
console.log(`String(scheduler.describe()), taken ${seconds(description.atMs).trim()} s into the demo (times in it are performance.now() ms):`);
const lines = String(description).split('\n');
const compactLines = lines.filter((text) => text.includes(' compact ['));
for (const text of lines.filter((t) => !t.includes(' compact ['))) console.log(text);
for (const text of compactLines.slice(0, 2)) console.log(text);
if (compactLines.length > 2) console.log(`  … and ${compactLines.length - 2} more 'compact' lines like these`);
