// CronSchedule's answers do not depend on the host's time zone: the same DST
// digest (test/helpers/cron-dst-digest.ts), computed in child processes under
// TZ values chosen to catch a stray local-time Date (UTC; Chatham at +12:45 or
// +13:45; Santiago, whose changes at midnight move local dates), is the same
// everywhere, agrees with the oracle, and matches this process's.
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type DstDigest, dstDigest } from '../helpers/cron-dst-digest.js';

const HOST_ZONES = ['UTC', 'Pacific/Chatham', 'America/Santiago'];

/** Runs `source` (ESM) in a new node process with TZ set; its stdout. */
function runWithTz(source: string, tz: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module'], { env: { ...process.env, TZ: tz }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`TZ=${tz}: exit ${code}: ${stderr}`))));
    child.stdin.end(source);
  });
}

describe('CronSchedule and the host time zone', () => {
  it('schedules the same runs under TZ=UTC, Pacific/Chatham and America/Santiago, all agreeing with the oracle', async () => {
    const bundle = await build({
      stdin: {
        contents: "import { dstDigest } from './test/helpers/cron-dst-digest.ts'; console.log(JSON.stringify(dstDigest()));",
        resolveDir: new URL('../../', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const source = bundle.outputFiles[0]!.text;
    const digests = (await Promise.all(HOST_ZONES.map((tz) => runWithTz(source, tz)))).map((out) => JSON.parse(out) as DstDigest);
    // Each child did run in the zone asked for, or the comparison proves nothing.
    expect(digests.map((digest) => digest.hostZone)).toEqual(HOST_ZONES);
    const here = dstDigest();
    expect(here.differences).toEqual([]);
    expect(here.runs.length).toBeGreaterThan(100);
    for (const digest of digests) {
      expect(digest.differences).toEqual([]);
      expect(digest.runs).toEqual(here.runs);
    }
  });
});
