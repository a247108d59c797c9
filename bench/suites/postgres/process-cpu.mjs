// CPU time of processes other than this one: the worker child processes and
// the PostgreSQL backends serving one benchmark database.
// process.cpuUsage() only sees this process. Read from /proc/<pid>/schedstat
// (the scheduler's run time, in nanoseconds) where the kernel has it, else from
// /proc/<pid>/stat (utime + stime in clock ticks of 10 ms): a backend that ran
// a hundred short transactions may have used less than one tick, which stat
// truncates to 0.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // sysconf(_SC_CLK_TCK) is 100 on every Linux this runs on (getconf CLK_TCK)

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPU time of `pid` in milliseconds, or undefined once the process is gone (or /proc is absent). */
export function procCpuMs(pid) {
  const schedstat = readProc(pid, 'schedstat');
  if (schedstat !== undefined) return Number(schedstat.split(' ')[0]) / 1e6;
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Whether this machine exposes /proc/<pid>/stat (Linux). */
export const canReadProcCpu = () => procCpuMs(process.pid) !== undefined;

/**
 * CPU spent by a changing set of processes between two readings: `pidsNow()`
 * lists them at each reading. A pid present at both counts its difference;
 * one that appeared in between counts all its CPU (it started inside the
 * region); one that exited in between is lost, and counted in `lost` so the
 * report can say so.
 */
export async function startCpuMeter(pidsNow) {
  const before = new Map();
  for (const pid of await pidsNow()) {
    const ms = procCpuMs(pid);
    if (ms !== undefined) before.set(pid, ms);
  }
  return {
    async stop() {
      let cpuMs = 0;
      const after = new Set(await pidsNow());
      for (const pid of after) {
        const ms = procCpuMs(pid);
        if (ms !== undefined) cpuMs += ms - (before.get(pid) ?? 0);
      }
      const lost = [...before.keys()].filter((pid) => !after.has(pid)).length;
      return { cpuMs, processes: after.size, lost };
    },
  };
}

/** The pids of the backends connected to `database` right now, asked through `client`. */
export async function backendPids(client, database) {
  const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return rows.map((row) => row.pid);
}
