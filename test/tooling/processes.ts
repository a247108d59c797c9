// Process checks shared by the tooling tests.
import { existsSync, readFileSync } from 'node:fs';

/** The process's state letter from /proc (Linux): R, S, Z (zombie), ...; undefined without /proc. */
function procState(pid: number): string | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  // The name, in parentheses, may hold spaces: the state follows the last ') '.
  return readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0];
}

/** Alive and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}

/** CPU ticks (user + system) the process has used, from /proc (Linux). */
export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // After the name: the state is field 3 of the full line, utime 14 and stime 15.
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}
