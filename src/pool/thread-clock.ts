// A worker thread's own clocks, read from the main thread: how much CPU it
// has had, how long it has waited for a CPU, and whether it is runnable now.
//
// Why: the grace a flagged task gets (grace.ts) must not run out while its
// thread is descheduled on a loaded machine, and it must still run out for a
// thread that is blocked (Atomics.wait, an await that never settles). Only the
// kernel knows which is which. Linux publishes it per thread:
//   /proc/self/task/<tid>/schedstat   "<on-CPU ns> <runqueue-wait ns> <slices>"
//   /proc/self/task/<tid>/stat        "... (<comm>) <state> ...", state R (running
//                                     or runnable), S/D (blocked), ...
// The worker writes its tid (from /proc/thread-self) into its seat when it
// starts; the main thread opens the two files once per thread and re-reads
// them with pread at offset 0 (a /proc file is regenerated on each read from
// the start): two syscalls of a few microseconds, made only for a thread whose
// task holds an escalating flag, once per watchdog tick.
//
// The kernel updates a running thread's on-CPU time at scheduler ticks and
// context switches, so a reading may lag by a tick (1-4 ms): it undercounts,
// never overcounts, which errs on the side of the task. Elsewhere (macOS,
// Windows, no /proc) open() answers undefined and grace.ts falls back to the
// main thread's own view of the time (see there).
import { closeSync, openSync, readSync } from 'node:fs';

export interface ThreadSample {
  /** Time on a CPU since the thread started, ms. */
  readonly cpuMs: number;
  /** Time runnable but waiting for a CPU since the thread started, ms. */
  readonly waitMs: number;
  /** Time slices it has run since it started. */
  readonly slices: number;
  /** Runnable (running, or waiting for a CPU) at the moment of reading. */
  readonly runnable: boolean;
}

const buffer = Buffer.alloc(512);

function readAt0(fd: number): string {
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  return buffer.toString('latin1', 0, n);
}

export class ThreadClock {
  readonly #schedstat: number;
  readonly #stat: number;

  private constructor(schedstat: number, stat: number) {
    this.#schedstat = schedstat;
    this.#stat = stat;
  }

  /** The clock of thread `tid` of this process, or undefined where the kernel does not publish it. */
  static open(tid: number): ThreadClock | undefined {
    if (!(tid > 0) || process.platform !== 'linux') return undefined;
    let schedstat = -1;
    try {
      schedstat = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
      const stat = openSync(`/proc/self/task/${tid}/stat`, 'r');
      const clock = new ThreadClock(schedstat, stat);
      if (clock.sample() === undefined) {
        clock.close();
        return undefined;
      }
      return clock;
    } catch {
      if (schedstat >= 0) closeSync(schedstat);
      return undefined;
    }
  }

  /** Reads the clocks now; undefined once the thread has exited (or the files cannot be parsed). */
  sample(): ThreadSample | undefined {
    try {
      const sched = readAt0(this.#schedstat).split(' ');
      const stat = readAt0(this.#stat);
      const cpuNs = Number(sched[0]);
      const waitNs = Number(sched[1]);
      const slices = Number(sched[2]);
      // The state is the first field after the command name, which is in parentheses and may hold spaces.
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (!Number.isFinite(cpuNs) || !Number.isFinite(waitNs) || !Number.isFinite(slices) || state === '') return undefined;
      return { cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6, slices, runnable: state === 'R' };
    } catch {
      return undefined;
    }
  }

  close(): void {
    try {
      closeSync(this.#schedstat);
      closeSync(this.#stat);
    } catch {
      // Already closed.
    }
  }
}
