// Release bookkeeping shared by both timer structures, so that the benchmark
// checks what was released instead of assuming it. Both structures call
// noteRelease(id, dueMs, seq) once per released timer, in release order.
//
// What it keeps, all O(1) per release: a count, a wrapping u32 sum of a hash of
// each id (the suite computes the expected sum in JavaScript; together with the
// count it catches a lost, duplicated or wrong timer), and two order checks
// against the previous release: a smaller due time than before (due order
// broken) or an equal due time with a smaller sequence number (the sequence
// tie-break broken). A log of released ids, off unless sized at init, lets the
// suite's strict pass compare every release with a model.
//
// These files are linted by biome with the JavaScript in bench/, hence === where
// assembly/ writes ==: on numbers AssemblyScript compiles both to the same
// instruction (the wasm is byte-identical either way).
//
// Memory for the log is taken from above the current end of linear memory, so
// call allocLog only after the structure has taken all the memory it needs.

const PAGE_BYTES: usize = 65536;

let releasedTotal: f64 = 0;
let idHashSum: u32 = 0;
let lastDueMs: f64 = -Infinity;
let lastSeq: f64 = 0;
let dueOrderBreaks: i32 = 0;
let seqOrderBreaks: i32 = 0;
let logBase: usize = 0;
let logCapacity: i32 = 0;
let logLength: i32 = 0;

/** A 32-bit mix of an id (the suite mirrors it with Math.imul). */
export function hashId(id: u32): u32 {
  let h = id * 0x9e3779b1;
  h ^= h >>> 15;
  h *= 0x85ebca77;
  h ^= h >>> 13;
  return h;
}

export function noteRelease(id: u32, dueMs: f64, seq: f64): void {
  releasedTotal += 1;
  idHashSum += hashId(id);
  if (dueMs < lastDueMs) dueOrderBreaks++;
  else if (dueMs === lastDueMs && seq < lastSeq) seqOrderBreaks++;
  lastDueMs = dueMs;
  lastSeq = seq;
  if (logLength < logCapacity) {
    store<u32>(logBase + (<usize>logLength << 2), id);
    logLength++;
  }
}

/** Bytes at the end of linear memory, grown for the purpose; 0 if refused. */
export function allocPages(bytes: usize): usize {
  const base = <usize>memory.size() * PAGE_BYTES;
  const pages = <i32>((bytes + PAGE_BYTES - 1) / PAGE_BYTES);
  if (pages > 0 && memory.grow(pages) < 0) return 0;
  return base;
}

/** Clears the counters; sizes the id log (0: no log). False if memory is refused. */
export function resetRelease(capacity: i32): bool {
  releasedTotal = 0;
  idHashSum = 0;
  lastDueMs = -Infinity;
  lastSeq = 0;
  dueOrderBreaks = 0;
  seqOrderBreaks = 0;
  logLength = 0;
  if (capacity > logCapacity) {
    logBase = allocPages(<usize>capacity << 2);
    if (logBase === 0) return false;
    logCapacity = capacity;
  }
  return true;
}

// ---- read by the suite (re-exported by each structure) ----
export function released(): f64 {
  return releasedTotal;
}
export function checksum(): u32 {
  return idHashSum;
}
export function dueOrderViolations(): i32 {
  return dueOrderBreaks;
}
export function seqOrderViolations(): i32 {
  return seqOrderBreaks;
}
export function logPtr(): usize {
  return logBase;
}
export function logCount(): i32 {
  return logLength;
}
/** Empties the log (the counters keep running). */
export function clearLog(): void {
  logLength = 0;
}
/** Does nothing: the cost of one JS-to-wasm crossing. */
export function noop(): void {}
