import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COLUMN_GROUPS, COLUMN_TYPES, ELEMENT_BYTES } from '../../bindings/columns.js';
import * as L from '../../bindings/layout.generated.js';
import { releaseCore } from '../helpers/core.js';

describe('layout shared by the core and the bindings', () => {
  it('bindings/layout.generated.ts is what assembly/layout.ts generates', () => {
    // Exits non-zero (and the call throws) when the two have drifted apart.
    expect(() => execFileSync(process.execPath, ['scripts/generate-layout.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('every column has the element size and group the core uses', () => {
    const w = releaseCore().exports;
    expect(Object.keys(COLUMN_TYPES).length).toBe(L.COL_COUNT);
    for (let col = 0; col < L.COL_COUNT; col++) {
      const type = COLUMN_TYPES[col];
      expect(type, `column ${col}`).toBeDefined();
      expect(w.columnBytes(col), `column ${col} bytes`).toBe(ELEMENT_BYTES[type!]);
      expect(w.columnGroupOf(col), `column ${col} group`).toBe(COLUMN_GROUPS[col]);
      // Aligned so a typed-array view can index it.
      expect(w.columnBaseOf(col) % ELEMENT_BYTES[type!]).toBe(0);
    }
  });
});
