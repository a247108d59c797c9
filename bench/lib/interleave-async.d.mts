// Types of interleave-async.mjs, for the TypeScript tests that use it.
import type { Impl, Samples } from './measure.mjs';
import type { Stopwatch } from './stopwatch.mjs';

export declare function interleaveAsync<I extends Impl>(
  impls: I[],
  reps: number,
  run: (impl: I, rep: number, stopwatch: Stopwatch) => Promise<Record<string, number> | undefined>,
  options?: { rotate?: boolean },
): Promise<Samples>;
