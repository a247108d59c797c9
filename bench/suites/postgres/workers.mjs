// The three ways the suite runs workers, behind one interface
// {start(), stop(), childPids}:
//   w1   one worker in this process
//   w4   four workers in this process (the implementation's own concurrency)
//   p4   four child processes of one worker each (worker-process.mjs)
// `onRun(i)` sees every run of job i, whichever process ran it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TOPOLOGIES = {
  w1: { processes: 0, workers: 1, what: '1 worker' },
  w4: { processes: 0, workers: 4, what: '4 workers in one process' },
  p4: { processes: 4, workers: 1, what: '4 processes of 1 worker' },
  // The smoke test's: two processes already share the rows, at half p4's start-up CPU inside npm test.
  p2: { processes: 2, workers: 1, what: '2 processes of 1 worker' },
};

export const CHILD = fileURLToPath(new URL('./worker-process.mjs', import.meta.url));

/** Resolves on the child's first message of `type`; rejects on an `error` message or an early exit. */
export function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type === type) done(resolve, message);
      else if (message.type === 'error') done(reject, new Error(`worker process ${child.pid}: ${message.message}`));
    };
    const onExit = (code, signal) => done(reject, new Error(`worker process ${child.pid} exited (${code ?? signal}) before '${type}'`));
    const done = (settle, value) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle(value);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function childWorkers(impl, { connectionString, mode, processes, workers, onRun }) {
  const children = [];
  try {
    for (let k = 0; k < processes; k++) {
      const env = { ...process.env, PGBENCH_IMPL: impl.name, PGBENCH_MODE: mode, PGBENCH_CONN: connectionString, PGBENCH_WORKERS: String(workers) };
      const child = fork(CHILD, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (message) => {
        if (message.type === 'ran') for (const i of message.ids) onRun(i);
      });
      children.push(child);
    }
    await Promise.all(children.map((child) => nextMessage(child, 'ready')));
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    throw error;
  }
  let stopped = false;
  return {
    childPids: children.map((child) => child.pid),
    async start() {
      const started = children.map((child) => nextMessage(child, 'started'));
      for (const child of children) child.send({ type: 'start' });
      await Promise.all(started);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const exits = children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined));
      await Promise.all(
        children.map(async (child) => {
          if (!child.connected) return;
          const done = nextMessage(child, 'stopped');
          child.send({ type: 'stop' });
          await done;
        }),
      );
      await Promise.all(exits);
    },
  };
}

async function inProcessWorkers(impl, { connectionString, mode, workers, onRun }) {
  const handle = await impl.open({ connectionString, mode, workers, onRun });
  let stopped = false;
  return {
    childPids: [],
    start: () => handle.start(),
    add: (i) => handle.add(i),
    async stop() {
      if (stopped) return;
      stopped = true;
      await handle.stop();
    },
  };
}

/** Opens (untimed) the workers of `topology` for `impl`; start() sets them working. */
export function openWorkers(impl, topology, { connectionString, mode, onRun }) {
  const shape = TOPOLOGIES[topology];
  if (shape === undefined) throw new Error(`postgres suite: no topology ${topology}`);
  const args = { connectionString, mode, workers: shape.workers, onRun };
  return shape.processes > 0 ? childWorkers(impl, { ...args, processes: shape.processes }) : inProcessWorkers(impl, args);
}
