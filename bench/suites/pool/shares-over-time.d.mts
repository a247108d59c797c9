// Types of shares-over-time.mjs, for the TypeScript tests that use it.
export declare function sharesOverTime(segmentsByTenant: [number, number][][], windowStart: number, windowEnd: number): number[][];
