// A plain 4-ary min-heap over typed arrays: the "what a careful JS author
// would write" peer, the same shape as the core's heap (4 children per node,
// keys and ids in parallel arrays, capacity doubling from 1024) minus what
// makes the core's heap a scheduler's heap: no position index (so no O(log n)
// remove-at) and no sequence tie-break.

export class FourAryHeap {
  #keys;
  #ids;
  #length = 0;

  constructor(capacity = 1024) {
    this.#keys = new Float64Array(capacity);
    this.#ids = new Uint32Array(capacity);
  }

  get length() {
    return this.#length;
  }

  /** The smallest key; undefined when empty. */
  peekKey() {
    return this.#length > 0 ? this.#keys[0] : undefined;
  }

  push(id, key) {
    if (this.#length === this.#keys.length) this.#grow();
    const keys = this.#keys;
    const ids = this.#ids;
    let i = this.#length++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const parentKey = keys[parent];
      if (key >= parentKey) break;
      keys[i] = parentKey;
      ids[i] = ids[parent];
      i = parent;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes the entry with the smallest key and returns its id; undefined when empty. */
  pop() {
    if (this.#length === 0) return undefined;
    const keys = this.#keys;
    const ids = this.#ids;
    const top = ids[0];
    const n = --this.#length;
    if (n > 0) this.#siftDown(keys[n], ids[n], n);
    return top;
  }

  // Moves the hole at the root down to where `key` belongs among n entries.
  #siftDown(key, id, n) {
    const keys = this.#keys;
    const ids = this.#ids;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      let best = first;
      let bestKey = keys[first];
      const last = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < last; c++) {
        const childKey = keys[c];
        if (childKey < bestKey) {
          best = c;
          bestKey = childKey;
        }
      }
      if (bestKey >= key) break;
      keys[i] = bestKey;
      ids[i] = ids[best];
      i = best;
    }
    keys[i] = key;
    ids[i] = id;
  }

  #grow() {
    const keys = new Float64Array(this.#keys.length * 2);
    const ids = new Uint32Array(this.#ids.length * 2);
    keys.set(this.#keys);
    ids.set(this.#ids);
    this.#keys = keys;
    this.#ids = ids;
  }
}
