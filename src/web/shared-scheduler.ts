// The one `scheduler` of `timeslice/web`, as a page has one. Making it starts
// nothing: its timeslice Scheduler (and the wasm core) is created on the
// first postTask() or yield().
import { createWebScheduler, type WebScheduler } from './web-scheduler.js';

export const scheduler: WebScheduler = /* @__PURE__ */ createWebScheduler();
