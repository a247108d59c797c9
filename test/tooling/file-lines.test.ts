// Files past 400 lines get split by concept before they grow (STYLE.md): the
// code's own files (src/, bindings/, assembly/) are held to it here, so a
// change that takes one past the limit fails npm test instead of waiting for
// someone to count.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sources } from './sources.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_LINES = 400;

/** The files of `files` longer than MAX_LINES, as "path: lines". */
function overLimit(files: string[]): string[] {
  return files.flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    return lines > MAX_LINES ? [`${relative(root, file)}: ${lines}`] : [];
  });
}

describe('file length', () => {
  it(`no file of src/, bindings/ or assembly/ is over ${MAX_LINES} lines`, () => {
    const files = ['src', 'bindings', 'assembly'].flatMap((dir) => sources(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    expect(overLimit(files)).toEqual([]);
  });

  it('names a file that is over, and only that one', () => {
    // The check itself, on files written here: 401 lines against 400.
    const dir = mkdtempSync(join(tmpdir(), 'file-lines-'));
    try {
      const over = join(dir, 'over.ts');
      const at = join(dir, 'at.ts');
      writeFileSync(over, 'const x = 1;\n'.repeat(MAX_LINES + 1));
      writeFileSync(at, 'const x = 1;\n'.repeat(MAX_LINES));
      expect(overLimit(sources(dir))).toEqual([`${relative(root, over)}: ${MAX_LINES + 1}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
