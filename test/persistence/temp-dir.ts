// Temporary directories for database files, under os.tmpdir(), removed after use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempDir(prefix = 'timeslice-store-'): Promise<{ dir: string; file(name: string): string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, file: (name) => join(dir, name), dispose: () => rm(dir, { recursive: true, force: true }) };
}
