// `#parts-sync` in browser (and other non-Node) builds: no part is loaded with
// the package, so that a bundle of `timeslice` carries neither croner nor the
// durable layer up front; load() (./load.ts) imports them on demand. Node
// resolves `#parts-sync` to ./sync.node.ts instead (package.json "imports").
import type { Parts } from './load.js';

/** The parts this build has at hand synchronously: none. */
export const SYNC_PARTS: Parts | undefined = undefined;
