// Types of write-report.mjs, for the TypeScript tests that use it.
import type { Report } from './charts/suite-charts.mjs';

export declare function writeReport(resultsDir: string, report: Report): Promise<string[]>;
