// Global counters: COUNTER_COUNT f64 words in static memory, read by the
// bindings through a view. f64 so totals in ms and counts past 2^32 stay exact.

import { COUNTER_COUNT } from "./layout";

export const counters: usize = memory.data(COUNTER_COUNT * 8, 8);

@inline export function bump(counter: i32, by: f64 = 1): void {
  const p = counters + (<usize>counter << 3);
  store<f64>(p, load<f64>(p) + by);
}

export function resetCounters(): void {
  memory.fill(counters, 0, COUNTER_COUNT * 8);
}
