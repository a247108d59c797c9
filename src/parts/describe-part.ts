// describe() as a loadable part: the snapshot of every queued task and why
// each waiting one is not running, as text and as data (../describe.ts). A
// diagnostic an application rarely ships on its first screen. In Node it
// loads with the package (./sync.node.ts); in a browser build,
// load({ describe: true }) imports it (./load.ts).
export { describeScheduler } from '../describe.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
