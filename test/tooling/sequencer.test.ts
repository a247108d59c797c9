// test/sequencer.ts names the files it starts first: a renamed or removed file
// must not drop silently out of the list.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LONG_FILES_FIRST } from '../sequencer.js';

describe('the long-files-first sequencer', () => {
  it('names test files that exist, each once', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    expect(LONG_FILES_FIRST.filter((file) => !existsSync(root + file))).toEqual([]);
    expect(new Set(LONG_FILES_FIRST).size).toBe(LONG_FILES_FIRST.length);
    expect(LONG_FILES_FIRST.every((file) => file.endsWith('.test.ts'))).toBe(true);
  });
});
