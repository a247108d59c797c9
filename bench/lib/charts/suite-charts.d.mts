// Types of suite-charts.mjs, for the TypeScript tests that use it.
import type { HeadlineEntry } from '../headline.mjs';
import type { Row } from '../rows.mjs';
import type { Series } from '../series.mjs';

export interface Report {
  meta: { suite: string; date: string; commit: string; loadAverage1m?: number; loadAverage?: { start: number[]; end?: number[] }; [key: string]: unknown };
  results: Row[];
  derived?: { name: string; value: number; unit: string; note?: string }[];
  headline?: HeadlineEntry[];
  series?: Series[];
}
export interface Chart {
  file: string;
  title: string;
  svg: string;
}
export declare function implKind(row: Row): 'product' | 'variant' | 'internals' | 'peer';
export declare function percentileFamilies(metrics: string[]): Map<string, { percentile: number; metric: string }[]>;
export declare function suiteCharts(report: Report): Chart[];
