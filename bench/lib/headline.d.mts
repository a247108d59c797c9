// Types of headline.mjs, for the TypeScript tests that use it.
import type { Row } from './rows.mjs';

export interface HeadlineEntry {
  case: string;
  n?: number;
  metric: string;
  cpuMetric?: string;
  subject?: string;
  peers?: string[];
  better?: 'higher' | 'lower';
  what: string;
}
export interface Lead {
  median: number;
  min: number;
  max: number;
  paired: boolean;
}
export interface HeadlineLine {
  entry: HeadlineEntry;
  subjectName: string;
  internals: boolean;
  subject: { wall: Row | undefined; cpu: Row | undefined };
  peer: string | undefined;
  wall?: Lead;
  cpu?: Lead | undefined;
}
export declare function findRow(results: Row[], key: { case: string; n?: number | undefined; impl: string; metric: string }): Row | undefined;
export declare function higherIsBetter(row: Row, better?: 'higher' | 'lower'): boolean;
export declare function leadOver(subject: Row, peer: Row, better?: 'higher' | 'lower'): Lead;
export declare function peersOf(results: Row[], entry: HeadlineEntry): string[];
export declare function validateHeadline(entries: unknown, results: Row[], suiteName: string): void;
export declare function headlineLines(results: Row[], entries: HeadlineEntry[]): HeadlineLine[];
export declare function sizesOf(results: Row[], caseName: string): (number | undefined)[];
export declare function cpuMetricOf(results: Row[], entry: HeadlineEntry): string | undefined;
