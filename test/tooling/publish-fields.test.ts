// scripts/check-publish-fields.mjs (prepublishOnly): `npm publish` is refused
// while package.json lacks repository, homepage or bugs, naming what is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-publish-fields.mjs', import.meta.url));
const dirs: string[] = [];

function check(packageJson: object): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'publish-fields-'));
  dirs.push(dir);
  const path = join(dir, 'package.json');
  writeFileSync(path, JSON.stringify(packageJson));
  const result = spawnSync(process.execPath, [SCRIPT, path], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-publish-fields', () => {
  it('refuses a package.json without repository, homepage and bugs, naming each', () => {
    const result = check({ name: 'x', homepage: 'https://example.org' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('package.json has no repository, bugs');
  });

  it('passes a package.json with all three', () => {
    const result = check({
      name: 'x',
      repository: { type: 'git', url: 'git+https://example.org/x.git' },
      homepage: 'https://example.org/x',
      bugs: { url: 'https://example.org/x/issues' },
    });
    expect(result).toEqual({ status: 0, stderr: '' });
  });
});
