// Types of rows.mjs, for the TypeScript tests that use it.
import type { Samples } from './measure.mjs';

export interface Row {
  suite?: string;
  case: string;
  impl: string;
  metric: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  reps: number;
  samples?: number[];
  n?: number;
  scope?: 'internals';
}
export declare const PRODUCT_IMPL: 'timeslice';
export declare function toRows(caseName: string, n: number | undefined, samples: Samples, units: Record<string, string>): Row[];
export declare function cpuRows(caseName: string, n: number | undefined, samples: Samples, options?: { per?: string; count?: number }): Row[];
export declare function markInternals(rows: Row[], impls?: string[]): Row[];
export declare function isInternals(row: Row | undefined): boolean;
export declare function validateRows(rows: unknown, suiteName: string): void;
