// Types of stopwatch.mjs, for the TypeScript tests that use it.
export declare class Stopwatch {
  start(): void;
  stop(): void;
  readonly used: boolean;
  readonly running: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
}
