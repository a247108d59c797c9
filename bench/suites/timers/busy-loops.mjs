// Busy-loop processes that keep every core busy while a case runs, as
// scripts/with-load.mjs does for the tests: the machine of a user whose other
// work takes the CPU. Each loop exits by itself once its parent is gone, so a
// killed benchmark leaves none behind.
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnBusyLoop } from '../../../scripts/busy-loop.mjs';

/** Starts one loop per core (or `count`); resolves, once they spin, to an async stop(). */
export async function startBusyLoops(count = availableParallelism()) {
  const loops = [];
  for (let i = 0; i < count; i++) loops.push(spawnBusyLoop());
  const killAll = () => {
    for (const loop of loops) if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL');
  };
  process.once('exit', killAll);
  // Let them start and take the cores before anything is measured.
  await sleep(300);
  return async function stopBusyLoops() {
    await Promise.all(
      loops.map((loop) => {
        if (loop.exitCode !== null || loop.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => loop.once('exit', resolve));
        loop.kill('SIGKILL');
        return exited;
      }),
    );
    process.removeListener('exit', killAll);
  };
}
