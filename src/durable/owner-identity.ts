// Who a scheduler is, for the store's lease (src/store/lease.ts): a random
// owner id per start, the host and the process id, so that a second scheduler
// refused the store can say who holds it, and can tell a holder that died.
//
// A holder whose lease has not lapsed yet but whose process is gone (killed,
// crashed, and the service manager restarts it at once) need not be waited
// for: if it ran in the same process space as us (same host name and, on
// Linux, the same pid namespace: `host` carries both, so containers sharing a
// file are not confused) and its pid no longer exists, it is dead. Anything
// else (another host, a pid that exists, no way to tell) counts as alive, and
// the lease is waited for: a wrong "alive" costs a wait, a wrong "dead" would
// cost a takeover, which fencing would still make safe.
//
// Node's modules are imported only here and only when a lease is taken,
// through specifiers bundlers do not follow (a browser bundle must not pull
// in node:os).
import type { LeaseHolder } from '../store/lease.js';

export interface OwnerIdentity {
  ownerId: string;
  host: string;
  pid: number;
}

const NODE_OS: string = 'node:os';
const NODE_FS: string = 'node:fs/promises';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

let processSpace: Promise<string> | undefined;

/** 'host' or, on Linux, 'host/pidns:<inode>': where a pid names one process. */
function currentProcessSpace(): Promise<string> {
  processSpace ??= isNode ? nodeProcessSpace() : Promise.resolve('browser');
  return processSpace;
}

async function nodeProcessSpace(): Promise<string> {
  let host = 'unknown host';
  try {
    host = ((await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_OS)) as typeof import('node:os')).hostname();
  } catch {}
  try {
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_FS)) as typeof import('node:fs/promises');
    const namespace = /\[(\d+)\]/.exec(await fs.readlink('/proc/self/ns/pid'))?.[1];
    if (namespace !== undefined) return `${host}/pidns:${namespace}`;
  } catch {}
  return host;
}

/** A fresh identity: a new owner id, this host and process. */
export async function newOwnerIdentity(): Promise<OwnerIdentity> {
  const pid = isNode && typeof process.pid === 'number' ? process.pid : 0;
  return { ownerId: globalThis.crypto.randomUUID(), host: await currentProcessSpace(), pid };
}

/** Whether the holder's process is known to be gone (see the header); false when it may be alive. */
export function holderIsDead(holder: LeaseHolder, self: OwnerIdentity): boolean {
  if (!isNode || holder.host !== self.host || holder.host === 'browser' || !Number.isSafeInteger(holder.pid) || holder.pid <= 0) return false;
  if (holder.pid === self.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, owned by someone else. Only ESRCH says there is no such process.
    return (error as { code?: unknown }).code === 'ESRCH';
  }
}
