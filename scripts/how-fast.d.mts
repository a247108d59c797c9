// Types of how-fast.mjs, for the TypeScript tests that use it.
import type { Report } from '../bench/lib/charts/suite-charts.mjs';

export declare const TARGETS: { file: string; links: { results: string; charts: boolean } }[];
export declare function loadReports(dir?: string): Report[];
export declare function howFastFiles(root?: string): { file: string; current: string; expected: string }[];
export declare function writeHowFast(root?: string): string[];
