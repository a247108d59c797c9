// The stored record of a one-off no-op task `job-<i>`, every column the SQLite
// store writes, for the A/Bs that call the store without a Scheduler
// (durable-floor.mjs, durable-statements-ab.mjs).
export function noopTaskRecord(i) {
  return {
    id: `job-${i}`, name: `job-${i}`, description: null, ownerModule: null, functionName: 'noop', params: { i }, scheduleKind: 'once',
    delayMs: 0, periodMs: null, atMs: null, cronExpression: null, timeZone: null, dstGap: null, dstOverlap: null, priority: 'normal',
    misfire: { policy: 'run-once', graceMs: 0, catchUpWindowMs: null, catchUpMax: null }, retry: { attempts: 1 }, createdAtMs: 1,
    updatedAtMs: 1, lastExecutionMs: null, nextExecutionMs: 1, executionCount: 0, maxExecutions: 1, status: 'pending', lastError: null,
    metadata: {}, scheduleVersion: 1, highWaterMarkMs: null, timeoutMs: null, constraints: null, calendarPeriod: null, startAtMs: null,
    endAtMs: null,
  };
}
