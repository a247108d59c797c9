// Wall time and process CPU time of one timed region, read together.
//
// CPU is process.cpuUsage() (user + system, every thread of the process: the
// main thread, V8's GC helpers, worker threads, libuv's pool), because that
// is what a user's machine pays for a run, whichever thread spends it. A
// region may be entered several times (start/stop pairs add up), e.g. the
// rounds of a small-n case. Reading the CPU clock is a getrusage() call (about
// a microsecond): time regions of milliseconds, not single operations.

export class Stopwatch {
  #wallMs = 0;
  #cpuUs = 0;
  #startWallMs = 0;
  /** @type {NodeJS.CpuUsage | undefined} */
  #startCpu = undefined;
  #used = false;

  /** Opens the timed region. The CPU clock is read first so it brackets the wall reading. */
  start() {
    if (this.#startCpu !== undefined) throw new Error('Stopwatch.start(): already running');
    this.#used = true;
    this.#startCpu = process.cpuUsage();
    this.#startWallMs = performance.now();
  }

  /** Closes the timed region and adds it to the totals. */
  stop() {
    const wallMs = performance.now();
    if (this.#startCpu === undefined) throw new Error('Stopwatch.stop(): not running');
    const cpu = process.cpuUsage(this.#startCpu);
    this.#startCpu = undefined;
    this.#wallMs += wallMs - this.#startWallMs;
    this.#cpuUs += cpu.user + cpu.system;
  }

  /** Whether start() was ever called. */
  get used() {
    return this.#used;
  }

  get running() {
    return this.#startCpu !== undefined;
  }

  /** Wall milliseconds inside the region(s). */
  get wallMs() {
    return this.#wallMs;
  }

  /** Process CPU milliseconds (user + system, all threads) inside the region(s). */
  get cpuMs() {
    return this.#cpuUs / 1000;
  }
}
