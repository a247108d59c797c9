// The implementations the postgres suite compares, by name, for the suite and
// for the worker child processes (which load their implementation by name).
// timeslice needs the built PostgreSQL store (dist/store/postgres.js, issue
// 13); without it the suite runs the peers and says that timeslice was not run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { graphileWorker } from './graphile-worker.mjs';
import { pgBoss } from './pg-boss.mjs';

export const POSTGRES_STORE_BUILD = fileURLToPath(new URL('../../../dist/store/postgres.js', import.meta.url));

/** Whether `npm run build` produced timeslice's PostgreSQL store. */
export const timesliceAvailable = () => existsSync(POSTGRES_STORE_BUILD);

/** The implementation called `name`. */
export async function loadImpl(name) {
  if (name === graphileWorker.name) return graphileWorker;
  if (name === pgBoss.name) return pgBoss;
  if (name === 'timeslice') {
    if (!timesliceAvailable()) throw new Error(`timeslice: ${POSTGRES_STORE_BUILD} is missing (npm run build, with the PostgreSQL store merged)`);
    return (await import('./timeslice.mjs')).timeslice;
  }
  throw new Error(`postgres suite: no implementation named ${name}`);
}

/** Every implementation this checkout can run, and a notice for each one it cannot. */
export async function availableImpls() {
  const impls = [graphileWorker, pgBoss];
  const notices = [];
  if (timesliceAvailable()) impls.unshift(await loadImpl('timeslice'));
  else notices.push(`timeslice not run: ${POSTGRES_STORE_BUILD} is missing (the PostgreSQL store of issue 13 is not built in this checkout)`);
  return { impls, notices };
}
