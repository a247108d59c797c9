// Every status code the core can answer, each reached through the raw exports
// (no validation in front), so the core itself is shown to refuse bad input.
import { describe, expect, it } from 'vitest';
import * as L from '../../bindings/layout.generated.js';
import { debugCore, releaseCore } from '../helpers/core.js';

const statusNames = Object.keys(L).filter((name) => name.startsWith('STATUS_'));

describe('status codes', () => {
  const reached = new Set<number>();
  const see = (status: number) => {
    reached.add(status);
    return status;
  };

  it('answers OK and SLICE_SPENT on the happy path', () => {
    const { exports: w } = debugCore();
    expect(see(w.setQuantum(5))).toBe(L.STATUS_OK);
    const h = w.register(0, 2, 0, L.KIND_ONCE, 0, 0);
    expect(w.pop(0)).toBe(h);
    expect(see(w.charge(h, 4))).toBe(L.STATUS_OK);
    expect(see(w.charge(h, 1))).toBe(L.STATUS_SLICE_SPENT);
    expect(see(w.complete(h, 6, 0))).toBe(L.STATUS_ENDED);
    const periodic = w.register(0, 2, 0, L.KIND_FIXED_RATE, 0, 10);
    w.pop(0);
    expect(w.finish(periodic, 1, 1, 0)).toBe(L.STATUS_OK);
    w.advance(10);
    w.pop(10);
    expect(w.finish(periodic, 11, 1, L.COMPLETE_FINAL)).toBe(L.STATUS_ENDED);
  });

  it('answers BAD_HANDLE for numbers it never handed out, NaN included', () => {
    const { exports: w } = debugCore();
    w.register(0, 2, 0, L.KIND_ONCE, 0, 0);
    for (const bad of [Number.NaN, 0, -5, 1.5, 2 ** 24 + 0.5, 2 ** 24 + 99, 2 ** 60, Number.POSITIVE_INFINITY]) {
      expect(see(w.cancel(bad))).toBe(L.STATUS_BAD_HANDLE);
      expect(w.charge(bad, 1)).toBe(L.STATUS_BAD_HANDLE);
    }
  });

  it('answers STALE_HANDLE for an ended task', () => {
    const { exports: w } = debugCore();
    const h = w.register(0, 2, 0, L.KIND_ONCE, 0, 0);
    w.cancel(h);
    expect(see(w.taskState(h))).toBe(L.STATUS_STALE_HANDLE);
  });

  it('answers BAD_ARGUMENT for out-of-range or non-finite arguments instead of trapping', () => {
    const { exports: w } = debugCore();
    const bad: Array<() => number> = [
      () => w.register(Number.NaN, 2, 0, 0, 0, 0),
      () => w.register(0, 5, 0, 0, 0, 0),
      () => w.register(0, -1, 0, 0, 0, 0),
      () => w.register(0, 2, 20, 0, 0, 0),
      () => w.register(0, 2, -21, 0, 0, 0),
      () => w.register(0, 2, 0, 3, 0, 0),
      () => w.register(0, 2, 0, 0, -1, 0),
      () => w.register(0, 2, 0, 0, Number.POSITIVE_INFINITY, 0),
      () => w.register(0, 2, 0, L.KIND_FIXED_RATE, 0, 0),
      () => w.register(0, 2, 0, L.KIND_FIXED_DELAY, 0, Number.NaN),
      () => w.advance(Number.NaN),
      () => w.setPolicy(4),
      () => w.setQuantum(0),
      () => w.setQuantum(Number.NaN),
      () => w.setClassDeadline(0, -1),
      () => w.niceWeight(20),
      () => w.runBatch(0, Number.NaN, 0),
    ];
    for (const call of bad) expect(see(call())).toBe(L.STATUS_BAD_ARGUMENT);
    const h = w.register(0, 2, 0, 0, 0, 0);
    expect(w.setClass(h, 9)).toBe(L.STATUS_BAD_ARGUMENT);
    expect(w.setNice(h, 99)).toBe(L.STATUS_BAD_ARGUMENT);
    w.pop(0);
    expect(w.charge(h, Number.NaN)).toBe(L.STATUS_BAD_ARGUMENT);
    expect(w.requeue(h, 0, 7)).toBe(L.STATUS_BAD_ARGUMENT);
    expect(w.retry(h, 0, -1)).toBe(L.STATUS_BAD_ARGUMENT);
    expect(w.complete(h, Number.NaN, 0)).toBe(L.STATUS_BAD_ARGUMENT);
  });

  it('answers WRONG_STATE for an operation the task is not ready for', () => {
    const { exports: w } = debugCore();
    const h = w.register(0, 2, 0, 0, 10, 0);
    expect(see(w.charge(h, 1))).toBe(L.STATUS_WRONG_STATE);
    expect(w.complete(h, 0, 0)).toBe(L.STATUS_WRONG_STATE);
    expect(w.resume(h, 0)).toBe(L.STATUS_WRONG_STATE);
    expect(w.pause(h)).toBe(L.STATUS_OK);
    expect(w.pause(h)).toBe(L.STATUS_WRONG_STATE);
    expect(w.runNow(h, 0)).toBe(L.STATUS_WRONG_STATE);
    expect(w.readyRank(h)).toBe(L.STATUS_WRONG_STATE);
  });

  it('answers EMPTY when nothing is ready', () => {
    const { exports: w } = debugCore();
    expect(see(w.pop(0))).toBe(L.STATUS_EMPTY);
    expect(w.peek()).toBe(L.STATUS_EMPTY);
  });

  it('answers NO_MEMORY when the table cannot grow, and stays consistent', () => {
    // Filling 4 GiB with tasks is too slow for a test: grow the memory ourselves
    // to 200 pages (12.5 MiB) short of the module's 4 GiB maximum, so that the
    // table's next doubling cannot fit.
    const core = releaseCore();
    const w = core.exports;
    const pagesNow = w.memory.buffer.byteLength / 65536;
    w.memory.grow(65536 - pagesNow - 200);
    let status = 0;
    let count = 0;
    while (status >= 0) {
      status = w.register(0, 2, 0, 0, 0, 0);
      count++;
    }
    expect(see(status)).toBe(L.STATUS_NO_MEMORY);
    expect(core.counters().live).toBe(count - 1);
    // The core still works after refusing.
    expect(w.pop(0)).toBeGreaterThan(0);
  });

  it('answers BAD_OPCODE and BATCH_TOO_LARGE for a malformed batch', () => {
    const core = debugCore();
    const w = core.exports;
    const { u32, f64 } = core.views();
    const record = w.commandBufferPtr();
    u32[(record + L.CMD_OP) >>> 2] = 99;
    expect(w.runBatch(1, 0, 0)).toBe(0);
    expect(see(f64[(record + L.CMD_RESULT) >>> 3] as number)).toBe(L.STATUS_BAD_OPCODE);
    expect(see(w.runBatch(L.CMD_CAPACITY + 1, 0, 0))).toBe(L.STATUS_BATCH_TOO_LARGE);
    expect(w.runBatch(0, 0, L.OUT_CAPACITY + 1)).toBe(L.STATUS_BATCH_TOO_LARGE);
  });

  it('reached every status code', () => {
    const all = statusNames.map((name) => (L as unknown as Record<string, number>)[name] as number);
    expect(all.filter((code) => !reached.has(code))).toEqual([]);
  });
});
