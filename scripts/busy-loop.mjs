// One busy-loop process: it burns a core, and every few million iterations
// checks that its parent is still the one that started it (a reparented
// orphan exits by itself, so a killed parent leaves no loop behind). Used by
// scripts/with-load.mjs (the suite under load) and by the benchmarks' loaded
// cases (bench/suites/timers/busy-loops.mjs).
import { spawn } from 'node:child_process';

const LOOP_SOURCE = `
const parentPid = Number(process.argv[1]);
for (let i = 0; ; i++) {
  if (i === 5_000_000) {
    i = 0;
    if (process.ppid !== parentPid) process.exit(0);
  }
}`;

/** Starts one loop process, a child of this one. */
export function spawnBusyLoop() {
  return spawn(process.execPath, ['-e', LOOP_SOURCE, String(process.pid)], { stdio: 'ignore' });
}
