// A Web Locks LockManager for Node tests of IndexedDbStore's lock path: one
// origin's exclusive locks, with the semantics the store relies on (as in the
// spec, https://w3c.github.io/web-locks/): the callback runs in a later task;
// with ifAvailable it gets null at once when the lock is held; the lock is
// held until the callback's promise settles; request() settles after that. It
// also plays the browser's part: free() is the holder's tab closing or
// crashing, steal() another context's `steal: true` request.
//
// Only what IndexedDbStore uses is implemented (exclusive, ifAvailable); any
// other request throws, so a change in how the store asks is noticed.

interface Holder {
  /** Rejects the holder's request() promise (a steal). */
  abort(error: Error): void;
}

export class FakeLockManager {
  readonly #held = new Map<string, Holder>();
  /** How many requests were made, granted or not. */
  requests = 0;

  isHeld(name: string): boolean {
    return this.#held.has(name);
  }

  request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> {
    if (options.mode !== 'exclusive' || options.ifAvailable !== true || options.steal === true || options.signal !== undefined) {
      throw new Error(`FakeLockManager: only exclusive ifAvailable requests, received ${JSON.stringify(options)}`);
    }
    this.requests++;
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        if (this.#held.has(name)) {
          Promise.resolve(callback(null)).then(resolve, reject);
          return;
        }
        let settled = false;
        const holder: Holder = {
          abort: (error) => {
            settled = true;
            reject(error);
          },
        };
        this.#held.set(name, holder);
        Promise.resolve(callback({ name, mode: 'exclusive' } as Lock)).then(
          (value) => this.#end(name, holder, () => !settled && resolve(value)),
          (error: unknown) => this.#end(name, holder, () => !settled && reject(error)),
        );
      }, 0);
    });
  }

  /** The holder's tab went away: the browser frees its lock (its callback never settles). */
  free(name: string): void {
    this.#held.delete(name);
  }

  /** Another context takes the lock with `steal: true`: the holder's request() rejects with an AbortError, and the lock stays held (by the thief). */
  steal(name: string): void {
    const holder = this.#held.get(name);
    const thief: Holder = { abort: () => {} };
    this.#held.set(name, thief);
    holder?.abort(Object.assign(new Error('The lock was stolen'), { name: 'AbortError' }));
  }

  #end(name: string, holder: Holder, settle: () => void): void {
    if (this.#held.get(name) === holder) this.#held.delete(name);
    settle();
  }
}
