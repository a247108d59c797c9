import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COLUMN_BYTES, COLUMN_GROUPS, ELEMENT_BYTES, TASK_FIELD_TYPES, taskFieldAddress } from '../../bindings/columns.js';
import { slotOfHandle } from '../../bindings/index.js';
import * as L from '../../bindings/layout.generated.js';
import { debugCore, releaseCore } from '../helpers/core.js';

describe('layout shared by the core and the bindings', () => {
  it('bindings/layout.generated.ts is what assembly/layout.ts generates', () => {
    // Exits non-zero (and the call throws) when the two have drifted apart.
    expect(() => execFileSync(process.execPath, ['scripts/generate-layout.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('every column has the element size and group the core uses', () => {
    const w = releaseCore().exports;
    expect(Object.keys(COLUMN_BYTES).length).toBe(L.COL_COUNT);
    for (let col = 0; col < L.COL_COUNT; col++) {
      const bytes = COLUMN_BYTES[col];
      expect(bytes, `column ${col}`).toBeDefined();
      expect(w.columnBytes(col), `column ${col} bytes`).toBe(bytes);
      expect(w.columnGroupOf(col), `column ${col} group`).toBe(COLUMN_GROUPS[col]);
      // Aligned so a typed-array view can index it (the task rows to a whole row: one cache line).
      expect(w.columnBaseOf(col) % bytes!, `column ${col} alignment`).toBe(0);
    }
  });

  it('every task-row field has the offset and size the core uses, and the fields tile the row', () => {
    const w = releaseCore().exports;
    // Byte by byte: the core names a field exactly where the bindings do, with the same size.
    for (let offset = 0; offset < L.TASK_ROW_BYTES; offset++) {
      const type = TASK_FIELD_TYPES[offset];
      expect(w.taskFieldBytes(offset), `row byte ${offset}`).toBe(type === undefined ? 0 : ELEMENT_BYTES[type]);
    }
    let end = 0;
    for (const [offset, type] of Object.entries(TASK_FIELD_TYPES).sort(([a], [b]) => Number(a) - Number(b))) {
      expect(Number(offset), `field at ${offset} starts where the previous one ends`).toBe(end);
      expect(Number(offset) % ELEMENT_BYTES[type], `field at ${offset} alignment`).toBe(0);
      end = Number(offset) + ELEMENT_BYTES[type];
    }
    expect(end + L.TASK_ROW_SPARE_BYTES).toBe(L.TASK_ROW_BYTES);
  });

  it('the core writes each task field where the bindings read it', () => {
    // A white-box read of two known tasks, field by field, on the debug core
    // (whose accessors assert each field's size).
    const core = debugCore();
    core.setPolicy('priority');
    const waiting = core.register(100, L.CLASS_LOW, 7, 'fixed-rate', 40, 25);
    const ready = core.register(100, L.CLASS_HIGH, -3, 'fixed-delay', 0, 60);
    const { u8, u32, f64 } = core.views();
    const tasks = core.exports.columnBaseOf(L.COL_TASKS);
    const read = (handle: number, field: number): number => {
      const at = taskFieldAddress(tasks, slotOfHandle(handle), field);
      const type = TASK_FIELD_TYPES[field];
      return (type === 'u8' ? u8[at] : type === 'u32' ? u32[at >>> 2] : f64[at >>> 3]) as number;
    };
    const fields = (handle: number) => ({
      gen: read(handle, L.FIELD_GEN),
      state: read(handle, L.FIELD_STATE),
      cls: read(handle, L.FIELD_CLASS),
      kind: read(handle, L.FIELD_KIND),
      nice: read(handle, L.FIELD_NICE) + L.NICE_MIN,
      pos: read(handle, L.FIELD_POS),
      statsRow: read(handle, L.FIELD_STATS_ROW),
      seq: read(handle, L.FIELD_SEQ),
      due: read(handle, L.FIELD_DUE),
      period: read(handle, L.FIELD_PERIOD),
      vruntime: read(handle, L.FIELD_VRUNTIME),
      stamp: read(handle, L.FIELD_STAMP),
      prev: read(handle, L.FIELD_PREV),
      queue: read(handle, L.FIELD_QUEUE),
      lane: read(handle, L.FIELD_LANE),
    });
    const gen = Math.floor(waiting / 2 ** L.HANDLE_SLOT_BITS);
    const none = 0xffffffff;
    // Waiting: alone in the first timer lane (bound to its delay, 40), so no next (POS) and no PREV; STAMP is its fire time.
    expect(fields(waiting)).toEqual({
      gen, state: L.STATE_WAITING, cls: L.CLASS_LOW, kind: L.KIND_FIXED_RATE, nice: 7, pos: none,
      statsRow: 0, seq: 1, due: 140, period: 25, vruntime: 0, stamp: 140, prev: none, queue: L.QUEUE_LANE, lane: 0,
    });
    // Ready in key order: alone in its class's lane, so no next (POS) and no PREV (LANE is a timer's field, never written).
    expect(fields(ready)).toEqual({
      gen, state: L.STATE_READY, cls: L.CLASS_HIGH, kind: L.KIND_FIXED_DELAY, nice: -3, pos: none,
      statsRow: 0, seq: 2, due: 100, period: 60, vruntime: 0, stamp: 100, prev: none, queue: L.QUEUE_LANE, lane: 0,
    });
    expect(core.pop(110)).toBe(ready);
    core.charge(ready, 4);
    const running = fields(ready);
    expect([running.state, running.statsRow, core.snapshot(ready).sliceUsedMs, running.vruntime]).toEqual([L.STATE_RUNNING, 1, 4, (4 * 1024) / core.niceWeight(-3)]);
  });
});
