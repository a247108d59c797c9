// Durable tasks in Chromium, as shipped: a Scheduler over IndexedDbStore
// (Chromium's real IndexedDB) keeps a task across a "restart" (a second
// Scheduler on the same database), runs it once at its time, records it, and
// a run cut short by the first scheduler is retried by the second.
import { load, Scheduler } from 'timeslice';
import { IndexedDbStore } from 'timeslice/store/indexeddb';
import { assert, assertEqual, test } from './harness.js';

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// First: the core and the durable layer, loaded on demand.
test('load({ durable: true }) loads the durable layer', async () => {
  await load({ durable: true });
});

test('a task scheduled before a restart runs after it, once, and its execution is recorded', async () => {
  const name = 'timeslice-durable-restart';
  try {
    const first = new Scheduler({ store: new IndexedDbStore({ name }), clockWatch: false, retention: false });
    first.define('note', () => {});
    const record = await first.schedule({ id: 'later', fn: 'note', params: { n: 7 }, after: 300 });
    assertEqual(record.status, 'pending', 'stored as pending');
    await first.stop();

    const second = new Scheduler({ store: new IndexedDbStore({ name }), clockWatch: false, retention: false });
    const seen: unknown[] = [];
    second.define('note', (params, ctx) => {
      seen.push([params, ctx.attempt, Date.now() >= ctx.nominalMs]);
    });
    second.start();
    const report = await second.ready;
    assertEqual(report?.tasks, 1, 'recovered one task');
    for (let waited = 0; seen.length === 0 && waited < 3000; waited += 50) await sleep(50);
    await sleep(100);
    assertEqual(seen, [[{ n: 7 }, 1, true]], 'ran once, with its params, not early');
    const { executions } = await second.history('later');
    assertEqual(executions.map((e) => e.outcome), ['succeeded'], 'one execution, succeeded');
    await second.stop();
  } finally {
    await deleteDatabase(name);
  }
});

test('a run left unfinished by the first scheduler is retried by the next with its saved state', async () => {
  const name = 'timeslice-durable-interrupted';
  try {
    const store = new IndexedDbStore({ name });
    const first = new Scheduler({ store, clockWatch: false, retention: false });
    let started = false;
    first.define('long', async (_params, ctx) => {
      await ctx.saveState({ step: 1 });
      started = true;
      await new Promise(() => {});
    });
    await first.schedule({ id: 'long', fn: 'long', after: 0 });
    first.start();
    for (let waited = 0; !started && waited < 3000; waited += 20) await sleep(20);
    assert(started, 'the first run started');
    // The tab "dies": its store is closed under it, nothing more it writes lands.
    await store.close();

    const second = new Scheduler({ store: new IndexedDbStore({ name }), clockWatch: false, retention: false });
    const seen: unknown[] = [];
    second.define('long', (_params, ctx) => {
      seen.push([ctx.attempt, ctx.state]);
    });
    second.start();
    const report = await second.ready;
    assertEqual([report?.interrupted, report?.retried], [1, 1], 'one interrupted execution, retried');
    for (let waited = 0; seen.length === 0 && waited < 3000; waited += 20) await sleep(20);
    assertEqual(seen, [[2, { step: 1 }]], 'the second attempt got the saved state');
    await second.stop();
  } finally {
    await deleteDatabase(name);
  }
});
