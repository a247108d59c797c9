// What every implementation's no-op job leaves behind: the handler marks
// job i (its payload) each time it runs, in whichever process it ran, so the
// suite counts duplicate runs and lost jobs from the handler side, by job id,
// whatever the database or the library says.

export class RunMarks {
  #runs;
  #distinct = 0;
  #total = 0;
  #waiters = [];

  constructor(n) {
    this.#runs = new Uint8Array(n);
  }

  /** One run of job i (saturates at 255 runs, which is a failure either way). */
  mark(i) {
    if (!(Number.isInteger(i) && i >= 0 && i < this.#runs.length)) throw new Error(`a handler ran job ${i}, not one of the ${this.#runs.length} added`);
    this.#total++;
    if (this.#runs[i]++ === 0) this.#distinct++;
    if (this.#runs[i] === 0) this.#runs[i] = 255;
    for (const waiter of this.#waiters.filter((w) => this.#distinct >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once `count` distinct jobs ran; rejects after `timeoutMs` saying how far it got. */
  whenDistinct(count, timeoutMs, what) {
    if (this.#distinct >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`${what}: ${this.#distinct} of ${count} jobs ran within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** {lost, duplicateRuns, runs}: jobs never run, runs beyond each job's first, runs in all. */
  tally() {
    let lost = 0;
    let duplicateRuns = 0;
    for (const count of this.#runs) {
      if (count === 0) lost++;
      else duplicateRuns += count - 1;
    }
    return { lost, duplicateRuns, runs: this.#total };
  }
}
