// The Scheduler in a real browser, on the real clock (performance.now(), host
// timers, MessageChannel yields), imported from the built package. Real waits
// are kept to tens of ms; every bound below leaves room for a slow machine.
import { load, NotLoadedError, Scheduler } from 'timeslice';
import { assert, assertEqual, test } from './harness.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Keeps the thread busy for about ms (what a long task's unit of work looks like). */
function busy(ms: number): void {
  const endMs = performance.now() + ms;
  while (performance.now() < endMs) {
    // spin
  }
}

/** The reason a promise rejects with; fails if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

// First: the core is loaded once (the copy embedded in the package, imported on demand).
test('new Scheduler() waits for load()', async () => {
  let refused: unknown;
  try {
    new Scheduler();
  } catch (error) {
    refused = error;
  }
  assert(refused instanceof NotLoadedError, 'NotLoadedError before load()');
  await load();
  new Scheduler();
});

test('run() tasks wait for start(), then run by priority', async () => {
  const scheduler = new Scheduler();
  const log: string[] = [];
  const done = [
    scheduler.run(() => log.push('normal')).done,
    scheduler.run(() => log.push('background'), { priority: 'background' }).done,
    scheduler.run(() => log.push('critical'), { priority: 'critical' }).done,
  ];
  await sleep(10);
  assertEqual(log, [], 'nothing ran before start()');
  scheduler.start();
  await Promise.all(done);
  assertEqual(log, ['critical', 'normal', 'background'], 'run order');
  await scheduler.stop();
});

test('after(20) fires once, no earlier than 20 ms after it was set', async () => {
  const scheduler = new Scheduler().start();
  const setAtMs = performance.now();
  let runs = 0;
  const firedAtMs = await scheduler.after(20, () => {
    runs++;
    return performance.now();
  }).done;
  const elapsedMs = firedAtMs - setAtMs;
  assert(elapsedMs >= 20, `fired after ${elapsedMs} ms, before its 20 ms delay`);
  assert(elapsedMs < 1000, `fired after ${elapsedMs} ms, far too late`);
  await sleep(20);
  assertEqual(runs, 1, 'runs');
  await scheduler.stop();
});

test('every(10) ticks on its cadence until cancelled, and its done rejects with ERR_TASK_CANCELLED', async () => {
  const scheduler = new Scheduler().start();
  const ticksMs: number[] = [];
  let onThirdTick!: () => void;
  const thirdTick = new Promise<void>((resolve) => {
    onThirdTick = resolve;
  });
  const setAtMs = performance.now();
  const handle = scheduler.every(10, () => {
    ticksMs.push(performance.now() - setAtMs);
    if (ticksMs.length === 3) onThirdTick();
  });
  const done = handle.done;
  await thirdTick;
  handle.cancel();
  await sleep(40);
  assertEqual(ticksMs.length, 3, 'ticks (none after cancel)');
  // Fixed rate: tick i is due (i + 1) periods after every() and never runs before.
  for (const [i, atMs] of ticksMs.entries()) assert(atMs >= 10 * (i + 1), `tick ${i} ran at ${atMs} ms, before ${10 * (i + 1)} ms`);
  const error = await rejectionOf(done);
  assertEqual((error as { code?: unknown }).code, 'ERR_TASK_CANCELLED', 'done rejects with the cancellation');
  await scheduler.stop();
});

test('a long task that checks ctx.shouldYield() and awaits ctx.yield() lets setTimeout(0) and a MessageChannel message run in between', async () => {
  const scheduler = new Scheduler().start();
  const log: string[] = [];
  let yields = 0;
  const handle = scheduler.run(async (ctx) => {
    log.push('task start');
    // Queued while the task holds the thread: they can only run if it yields to the host.
    setTimeout(() => log.push('setTimeout(0)'), 0);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      log.push('message');
      channel.port1.close();
    };
    channel.port2.postMessage(null);
    const startMs = performance.now();
    while (!(log.includes('setTimeout(0)') && log.includes('message'))) {
      if (performance.now() - startMs > 2000) throw new Error(`the host callbacks never ran in 2 s (${yields} yields): ${log.join(', ')}`);
      busy(1);
      if (ctx.shouldYield()) {
        yields++;
        await ctx.yield();
      }
    }
    log.push('task end');
  });
  await handle.done;
  assertEqual(log[0], 'task start', 'first entry');
  assertEqual(log.at(-1), 'task end', 'last entry');
  assertEqual([...log].sort(), ['message', 'setTimeout(0)', 'task end', 'task start'], 'every entry, once');
  assert(yields >= 1, 'the task yielded');
  await scheduler.stop();
});

test('ctx.yield() is not clamped like nested setTimeout(0): 100 yields beat 100 nested timeouts in the same run', async () => {
  const scheduler = new Scheduler().start();
  const yieldsMs = await scheduler.run(async (ctx) => {
    const startMs = performance.now();
    for (let i = 0; i < 100; i++) await ctx.yield();
    return performance.now() - startMs;
  }).done;
  const timeoutsStartMs = performance.now();
  for (let i = 0; i < 100; i++) await sleep(0);
  const timeoutsMs = performance.now() - timeoutsStartMs;
  assert(yieldsMs < timeoutsMs, `100 yields took ${yieldsMs} ms, 100 nested setTimeout(0) ${timeoutsMs} ms`);
  await scheduler.stop();
});

test('done resolves with what a sync or async task returns, and rejects with what it throws (reported to onError)', async () => {
  // The default onError writes to console.error, which fails a page: route it here and check it.
  const reported: string[] = [];
  const scheduler = new Scheduler({ onError: (error) => reported.push((error as Error).message) }).start();
  const sync = scheduler.run(() => 42).done;
  const async = scheduler.run(async () => {
    await sleep(5);
    return 'later';
  }).done;
  const failing = scheduler.run(() => {
    throw new Error('boom');
  }).done;
  assertEqual(await sync, 42, 'sync result');
  assertEqual(await async, 'later', 'async result');
  assertEqual(((await rejectionOf(failing)) as Error).message, 'boom', 'thrown error');
  assertEqual(reported, ['boom'], 'reported to onError');
  const stats = scheduler.stats();
  assertEqual([stats.executed, stats.failed, stats.inflight], [3, 1, 0], 'executed, failed, inflight');
  await scheduler.stop();
  assertEqual(scheduler.state, 'stopped', 'state after stop()');
});
