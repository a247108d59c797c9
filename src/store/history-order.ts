// The order history pages come in, written once for the stores that sort in
// JavaScript (SQLite sorts with the same key in its ORDER BY).
import type { HistoryCursor } from './store.js';

interface Positioned {
  nominalMs: number;
  scheduleVersion: number;
}

/** Newest first: nominal time descending, then schedule version descending. */
export function newestFirst(a: Positioned, b: Positioned): number {
  return b.nominalMs - a.nominalMs || b.scheduleVersion - a.scheduleVersion;
}

/** Whether `record` comes strictly after `cursor` in newest-first order. */
export function isOlderThan(record: Positioned, cursor: HistoryCursor): boolean {
  return record.nominalMs < cursor.nominalMs || (record.nominalMs === cursor.nominalMs && record.scheduleVersion < cursor.scheduleVersion);
}

/** The cursor after a page of `limit` asked records: null when the page came back short. */
export function nextCursor(page: readonly Positioned[], limit: number): HistoryCursor | null {
  const last = page[page.length - 1];
  return page.length === limit && last !== undefined ? { nominalMs: last.nominalMs, scheduleVersion: last.scheduleVersion } : null;
}

/** Final outcomes: the slot never runs again. */
export const FINAL_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
