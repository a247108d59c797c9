// Slot constraints on in-memory tasks (working hours, blackouts, maxPerDay,
// admit) as a loadable part: `constraints` of every(), recurring() and cron().
// In Node it loads with the package (./sync.node.ts); in a browser build,
// load({ constraints: true }) imports it (./load.ts). Durable tasks judge
// their slots with the same code, which comes with the durable layer.
export { ConstrainedTasks } from '../constraints/constrained-task.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
