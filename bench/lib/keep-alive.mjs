// Why this exists: V8's optimized code holds the hidden classes (maps) and
// functions it was specialised for weakly. When every object of such a map
// dies, a full GC clears the map and throws the code away. The suites call
// gc() before each timed run (measure.mjs settle()), so a structure whose
// every instance died with the previous run would start each run from cold,
// re-tiering code: a cost a long-lived program does not pay, and one that
// measured up to 2-3x at small sizes. Each implementation therefore keeps one
// instance of what its loops touch alive for the whole process.
const anchors = [];

/** Keeps `value` reachable until the process exits; returns it. */
export function keepAlive(value) {
  anchors.push(value);
  return value;
}
