// A web scheduler on a VirtualClock, and a log to assert on.
import { VirtualClock } from '../../src/testing/index.js';
import { createWebScheduler } from '../../src/web/index.js';

export function setup() {
  const clock = new VirtualClock();
  const scheduler = createWebScheduler({ clock });
  const log: string[] = [];
  return { clock, scheduler, log };
}
