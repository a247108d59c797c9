// A benchmark that does not check its output can end up measuring nothing (a
// loop the JIT removed, a call that returned an error code at once). Every
// heap implementation reports the checksum of the keys it popped, in pop
// order, and how often a key came out smaller than the one before; all of them
// must agree exactly, or the suite stops.

export class Agreement {
  #label;
  #expected;
  #expectedFrom;

  /** `expected` may be given up front when it can be computed independently. */
  constructor(label, expected, expectedFrom = 'reference') {
    this.#label = label;
    this.#expected = expected;
    this.#expectedFrom = expectedFrom;
  }

  check(impl, { checksum, disorder }) {
    if (disorder !== 0) throw new Error(`${this.#label}: ${impl} popped ${disorder} keys out of order`);
    if (this.#expected === undefined) {
      this.#expected = checksum;
      this.#expectedFrom = impl;
    } else if (!Object.is(checksum, this.#expected)) {
      throw new Error(`${this.#label}: ${impl} checksum ${checksum} differs from ${this.#expectedFrom}'s ${this.#expected}: it did different work`);
    }
  }
}
