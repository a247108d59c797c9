// The decision both browser suites make (test/browser/run.mjs and
// test/web/chromium-differential.test.ts): run with which Chromium, skip
// loudly, or fail. The file system is replaced by a set of executable paths.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, decideBrowserRun, isExecutableFile } from './chromium.mjs';

const decide = (env: Record<string, string | undefined>, executables: string[] = []) =>
  decideBrowserRun({ env, isExecutable: (path) => executables.includes(path) });

describe('decideBrowserRun', () => {
  it('runs with /usr/bin/chromium when it is there and nothing is set', () => {
    expect(decide({}, [DEFAULT_CHROMIUM_PATH])).toEqual({ action: 'run', path: DEFAULT_CHROMIUM_PATH });
  });

  it('runs with CHROMIUM_PATH when it names an executable, in preference to /usr/bin/chromium', () => {
    expect(decide({ CHROMIUM_PATH: '/opt/chrome/chrome' }, ['/opt/chrome/chrome', DEFAULT_CHROMIUM_PATH])).toEqual({
      action: 'run',
      path: '/opt/chrome/chrome',
    });
  });

  it('fails when CHROMIUM_PATH names no executable, even though /usr/bin/chromium exists', () => {
    const decision = decide({ CHROMIUM_PATH: '/nowhere/chrome' }, [DEFAULT_CHROMIUM_PATH]);
    expect(decision.action).toBe('fail');
    expect(decision).toMatchObject({ message: expect.stringContaining('CHROMIUM_PATH="/nowhere/chrome" is not an executable file') });
  });

  it('treats an empty CHROMIUM_PATH as unset', () => {
    expect(decide({ CHROMIUM_PATH: '' }, [DEFAULT_CHROMIUM_PATH])).toEqual({ action: 'run', path: DEFAULT_CHROMIUM_PATH });
  });

  it('skips with a loud notice that says how to install Chromium when none is found', () => {
    const decision = decide({});
    expect(decision.action).toBe('skip');
    const message = decision.action === 'skip' ? decision.message : '';
    expect(message).toContain('BROWSER TESTS SKIPPED');
    expect(message).toContain('apt-get install chromium');
    expect(message).toContain('CHROMIUM_PATH');
    expect(message).toContain('TIMESLICE_REQUIRE_BROWSER=1');
  });

  it('fails instead of skipping under TIMESLICE_REQUIRE_BROWSER=1', () => {
    const decision = decide({ TIMESLICE_REQUIRE_BROWSER: '1' });
    expect(decision.action).toBe('fail');
    expect(decision).toMatchObject({ message: expect.stringContaining('apt-get install chromium') });
    expect(decide({ TIMESLICE_REQUIRE_BROWSER: '1' }, [DEFAULT_CHROMIUM_PATH])).toEqual({ action: 'run', path: DEFAULT_CHROMIUM_PATH });
  });

  it('TIMESLICE_REQUIRE_BROWSER=0 is the same as unset', () => {
    expect(decide({ TIMESLICE_REQUIRE_BROWSER: '0' }).action).toBe('skip');
  });

  it('skips on purpose under TIMESLICE_SKIP_BROWSER=1, even with a browser, and fails when that contradicts TIMESLICE_REQUIRE_BROWSER=1', () => {
    expect(decide({ TIMESLICE_SKIP_BROWSER: '1' }, [DEFAULT_CHROMIUM_PATH])).toEqual({
      action: 'skip',
      message: 'browser tests skipped (TIMESLICE_SKIP_BROWSER=1)',
    });
    expect(decide({ TIMESLICE_SKIP_BROWSER: '1', TIMESLICE_REQUIRE_BROWSER: '1' }, [DEFAULT_CHROMIUM_PATH])).toMatchObject({
      action: 'fail',
      message: expect.stringContaining('contradict'),
    });
  });

  it('refuses a switch that is neither 1 nor 0, naming it and the value', () => {
    expect(decide({ TIMESLICE_REQUIRE_BROWSER: 'yes' }, [DEFAULT_CHROMIUM_PATH])).toEqual({
      action: 'fail',
      message: 'browser tests: TIMESLICE_REQUIRE_BROWSER must be 1 or 0 (or unset); received "yes"',
    });
  });
});

describe('isExecutableFile', () => {
  it('is true for an executable file only: not for a plain file, a directory or a missing path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeslice-chromium-'));
    try {
      const executable = join(dir, 'chrome');
      const plain = join(dir, 'plain');
      writeFileSync(executable, '#!/bin/sh\n');
      chmodSync(executable, 0o755);
      writeFileSync(plain, '');
      chmodSync(plain, 0o644);
      expect(isExecutableFile(executable)).toBe(true);
      // root may execute nothing without an x bit either (access(2) X_OK needs one x bit for root).
      expect(isExecutableFile(plain)).toBe(false);
      expect(isExecutableFile(dir)).toBe(false);
      expect(isExecutableFile(join(dir, 'missing'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
