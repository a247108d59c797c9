// Types of how-fast.mjs, for the TypeScript tests that use it.
import type { Report } from './charts/suite-charts.mjs';

export declare const START_MARKER: string;
export declare const END_MARKER: string;
export declare function howFastSection(reports: Report[], links: { results: string; charts: boolean }): string;
export declare function replaceSection(text: string, section: string, where: string): string;
