// Types of measure.mjs, for the TypeScript tests that use it.
import type { Stopwatch } from './stopwatch.mjs';

export type Samples = Map<string, Record<string, number[]>>;
export interface Impl {
  name: string;
}
export declare const nowMs: () => number;
export declare function settle(): void;
export declare function memorySnapshot(): { heapUsed: number; external: number; arrayBuffers: number };
export declare function interleave<I extends Impl>(
  impls: I[],
  reps: number,
  run: (impl: I, rep: number, stopwatch: Stopwatch) => Record<string, number> | undefined,
  options?: { rotate?: boolean },
): Samples;
export declare function repetitionOrder<I extends Impl>(impls: I[], rep: number, rotate: boolean): I[];
