// bench/c/heap4.c's plain heap, line for line in AssemblyScript: a 4-ary
// min-heap of keys (f64) and ids (u32) with no position index and no
// tie-break. bench/ab/heap-ab.mjs compiles it with the core's release flags and
// drives it from JS as it drives the core's heap (pop, then push: two
// crossings): what the C algorithm costs as wasm under V8, the floor the
// core's heap is measured against.

let keys: usize = 0;
let ids: usize = 0;
let length: i32 = 0;

/** Room for `capacity` entries; the heap starts empty. */
export function reset(capacity: i32): void {
  const start = (__heap_base + 63) & ~(<usize>63);
  const end = start + <usize>capacity * 12;
  const pages = <i32>((end + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  keys = start;
  ids = start + <usize>capacity * 8;
  length = 0;
}

export function topKey(): f64 {
  return load<f64>(keys);
}

export function topId(): u32 {
  return load<u32>(ids);
}

export function push(id: u32, key: f64): void {
  let i = length++;
  while (i > 0) {
    const parent = (i - 1) >> 2;
    const parentKey = load<f64>(keys + (<usize>parent << 3));
    if (key >= parentKey) break;
    store<f64>(keys + (<usize>i << 3), parentKey);
    store<u32>(ids + (<usize>i << 2), load<u32>(ids + (<usize>parent << 2)));
    i = parent;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<u32>(ids + (<usize>i << 2), id);
}

/** Removes the smallest key; the caller has read it with topKey(). */
export function pop(): void {
  const n = --length;
  if (n == 0) return;
  const key = load<f64>(keys + (<usize>n << 3));
  const id = load<u32>(ids + (<usize>n << 2));
  let i = 0;
  while (true) {
    const first = (i << 2) + 1;
    if (first >= n) break;
    let best = first;
    let bestKey = load<f64>(keys + (<usize>first << 3));
    const last = min(first + 4, n);
    for (let c = first + 1; c < last; c++) {
      const cKey = load<f64>(keys + (<usize>c << 3));
      if (cKey < bestKey) {
        best = c;
        bestKey = cKey;
      }
    }
    if (bestKey >= key) break;
    store<f64>(keys + (<usize>i << 3), bestKey);
    store<u32>(ids + (<usize>i << 2), load<u32>(ids + (<usize>best << 2)));
    i = best;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<u32>(ids + (<usize>i << 2), id);
}
