// The floor-scheduler's algorithm (bench/lib/floor-scheduler.mjs: five FIFO
// lanes, the most urgent non-empty lane first) with its lanes in wasm and its
// crossings batched: the least a wasm-backed priority scheduler can do per
// task. bench/ab/dispatch-wasm-floor.mjs compiles it with the core's release
// flags and drives it (`lanes-batched`): JS chooses each task's id (a
// counter), keeps the closure in a ring indexed by the id and writes the
// task's class into the staging buffer; enter() appends a batch of staged
// tasks to their lanes in one crossing, take() writes up to max ids, most
// urgent lane first, into the output buffer in one crossing.

const LANES: usize = 5;
const STAGING_CAPACITY = 4096;

const staging: usize = memory.data(STAGING_CAPACITY, 16);
const output: usize = memory.data(STAGING_CAPACITY * 4, 16);
const heads: usize = memory.data(<i32>LANES * 4, 4);
const tails: usize = memory.data(<i32>LANES * 4, 4);
let lanes: usize = 0;
let laneMask: u32 = 0;
let laneShift: u32 = 0;

export function stagingPtr(): usize { return staging; }
export function outputPtr(): usize { return output; }
export function stagingCapacity(): i32 { return STAGING_CAPACITY; }

/** Room for 2^bits pending tasks in each lane; every lane starts empty. */
export function reset(bits: u32): void {
  const start = (__heap_base + 63) & ~(<usize>63);
  const end = start + (LANES << (bits + 2));
  const pages = <i32>((end + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  lanes = start;
  laneShift = bits;
  laneMask = (1 << bits) - 1;
  for (let c: usize = 0; c < LANES; c++) {
    store<u32>(heads + (c << 2), 0);
    store<u32>(tails + (c << 2), 0);
  }
}

/** Appends staged tasks 0..count-1 (ids firstId + k, classes in the staging buffer) to their lanes. */
export function enter(count: i32, firstId: u32): void {
  for (let k = 0; k < count; k++) {
    const c = <usize>load<u8>(staging + <usize>k);
    const tail = load<u32>(tails + (c << 2));
    store<u32>(lanes + (((c << laneShift) + <usize>(tail & laneMask)) << 2), firstId + <u32>k);
    store<u32>(tails + (c << 2), tail + 1);
  }
}

/** Writes up to max ids into the output buffer, most urgent lane first; how many. */
export function take(max: i32): i32 {
  let n = 0;
  for (let c: usize = 0; c < LANES && n < max; c++) {
    let head = load<u32>(heads + (c << 2));
    const tail = load<u32>(tails + (c << 2));
    while (head !== tail && n < max) {
      store<u32>(output + (<usize>n << 2), load<u32>(lanes + (((c << laneShift) + <usize>(head & laneMask)) << 2)));
      head++;
      n++;
    }
    store<u32>(heads + (c << 2), head);
  }
  return n;
}
