// plainjob (better-sqlite3): `addMany()` in one transaction, workers that
// claim one job at a time (one write transaction) and mark it done (one
// more), all in this process. It sets WAL and synchronous=NORMAL when its
// queue is defined; the FULL rows set synchronous=FULL on the connection
// right after, which plainjob's statements then run with.
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker } from 'plainjob';
import { expectEach } from './jobs.mjs';

const silent = { debug() {}, info() {}, warn() {}, error() {}, log() {} };
const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
/** How often an idle worker looks for jobs: short, so the first job of the batch is picked up at once. */
const POLL_MS = 10;

function openQueue(file, sync) {
  const db = new Database(file);
  const queue = defineQueue({ connection: better(db), logger: silent });
  db.pragma(`synchronous = ${sync.toUpperCase()}`);
  const level = SYNCHRONOUS[db.pragma('synchronous', { simple: true })];
  if (level !== sync.toUpperCase()) throw new Error(`plainjob: synchronous is ${level}, expected ${sync.toUpperCase()}`);
  return { db, queue };
}

export const plainjob = {
  name: 'plainjob',
  durability: (sync) => `SQLite WAL, synchronous=${sync.toUpperCase()}`,

  /** addMany(n jobs) into a queue whose tables exist; no worker. */
  async enqueue({ n, sync, file, stopwatch }) {
    const { db, queue } = openQueue(file, sync);
    try {
      stopwatch.start();
      const list = [];
      for (let i = 0; i < n; i++) list.push({ i });
      queue.addMany('noop', list);
      stopwatch.stop();
      const stored = db.prepare('SELECT count(*) FROM plainjob_jobs WHERE status = 0').pluck().get();
      if (stored !== n) throw new Error(`plainjob enqueue: ${stored} pending jobs stored, expected ${n}`);
    } finally {
      queue.close();
    }
    return {};
  },

  /** `concurrency` workers polling (started beforehand); timed: addMany(n) until the n-th job is marked done. */
  async endToEnd({ n, sync, file, concurrency, stopwatch }) {
    const { db, queue } = openQueue(file, sync);
    const runs = new Uint8Array(n);
    let completed = 0;
    let allDone;
    const done = new Promise((resolve) => {
      allDone = resolve;
    });
    const workers = [];
    for (let w = 0; w < concurrency; w++) {
      // onCompleted is called after markJobAsDone's statement has committed.
      const worker = defineWorker(
        'noop',
        async (job) => {
          runs[JSON.parse(job.data).i]++;
        },
        { queue, logger: silent, pollIntervall: POLL_MS, onCompleted: () => ++completed === n && allDone() },
      );
      workers.push(worker);
      void worker.start();
    }
    try {
      stopwatch.start();
      const list = [];
      for (let i = 0; i < n; i++) list.push({ i });
      queue.addMany('noop', list);
      await done;
      stopwatch.stop();
      await Promise.all(workers.map((w) => w.stop()));
      expectEach('plainjob', runs, 1);
      const doneRows = db.prepare('SELECT count(*) FROM plainjob_jobs WHERE status = 2').pluck().get();
      if (doneRows !== n) throw new Error(`plainjob end to end: ${doneRows} jobs stored as done, expected ${n}`);
    } finally {
      queue.close();
    }
    return {};
  },
};
