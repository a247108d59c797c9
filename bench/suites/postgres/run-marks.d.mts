// Types of run-marks.mjs, for the TypeScript tests that use it.
export declare class RunMarks {
  constructor(n: number);
  mark(i: number): void;
  whenDistinct(count: number, timeoutMs: number, what: string): Promise<void>;
  tally(): { lost: number; duplicateRuns: number; runs: number };
}
