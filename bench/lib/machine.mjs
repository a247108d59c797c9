// What the numbers were measured on: results without it cannot be compared.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function gitCommit(cwd) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** os.loadavg(), [1 min, 5 min, 15 min], rounded to hundredths. */
export function loadAverage() {
  return os.loadavg().map((load) => Math.round(load * 100) / 100);
}

export function machineInfo(rootDir) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    // Other processes on a 2-core machine move the numbers: worth knowing when comparing runs.
    // The runner adds loadAverage.end when the suite finishes.
    loadAverage1m: loadAverage()[0],
    loadAverage: { start: loadAverage() },
    commit: gitCommit(rootDir),
  };
}
