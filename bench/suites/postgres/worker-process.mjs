// One worker process of the "4 processes of 1" topology: forked by
// workers.mjs, it opens its implementation's worker (untimed: module load,
// pool, LISTEN), says `ready`, starts working on `start`, and reports the
// jobs its handler ran ({type: 'ran', ids}) every few milliseconds; on `stop`
// it stops its worker as its users would (graceful), reports the rest and exits.
import { loadImpl } from './impls.mjs';

const FLUSH_MS = 5;
const { PGBENCH_IMPL: implName, PGBENCH_MODE: mode, PGBENCH_CONN: connectionString, PGBENCH_WORKERS: workers, PGBENCH_FAILOVER: failover } = process.env;

const ran = [];
const flush = () => {
  if (ran.length > 0) process.send({ type: 'ran', ids: ran.splice(0) });
};
const timer = setInterval(flush, FLUSH_MS);

const impl = await loadImpl(implName);
// failover.mjs's cases: {holdMs, lease} as JSON (a handler that holds its job, a short lease).
const handle = await impl.open({ connectionString, mode, workers: Number(workers), onRun: (i) => ran.push(i), ...(failover ? JSON.parse(failover) : {}) });
process.on('message', async (message) => {
  try {
    if (message.type === 'start') {
      await handle.start();
      process.send({ type: 'started' });
    } else if (message.type === 'stop') {
      await handle.stop();
      clearInterval(timer);
      flush();
      process.send({ type: 'stopped' }, () => process.disconnect());
    }
  } catch (error) {
    process.send({ type: 'error', message: error.stack ?? String(error) });
  }
});
process.send({ type: 'ready' });
