// Types of series.mjs, for the TypeScript tests that use it.
export interface Axis {
  label: string;
  unit: string;
}
export interface Series {
  name: string;
  case?: string;
  title: string;
  x: Axis;
  y: Axis;
  lines: { label: string; impl?: string; points: [number, number][] }[];
  guides?: { label: string; y: number }[];
}
export declare function validateSeries(series: unknown, suiteName: string): void;
