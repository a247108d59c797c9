// How many TaskHandles hold a heap number, read from a heap snapshot: on a
// Scheduler whose one slot was reused `rounds` times, every handle kept (one
// per reuse, the last one live). An id past V8's small-integer range kept in
// a field of the handle shows as an edge to a "heap number"; a small integer
// shows as no edge at all.
//   node bench/ab/handle-heap-numbers.mjs <dist/index.js> [rounds]
// (main at 57b5b9b: 73 of 201; with trials/handle-large-id-book.patch: 0)
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';

const { Scheduler } = await import(pathToFileURL(process.argv[2]).href);
const rounds = Number(process.argv[3] ?? 200);
const scheduler = new Scheduler().start();
const kept = [];
for (let i = 0; i < rounds; i++) {
  const handle = scheduler.after(1e9, () => i);
  kept.push(handle);
  if (i < rounds - 1) handle.cancel();
}
const chunks = [];
for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk);
const { snapshot, nodes, edges, strings } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const nodeFields = snapshot.meta.node_fields.length;
const edgeFields = snapshot.meta.edge_fields.length;
const nodeTypes = snapshot.meta.node_types[0];
const at = (field) => snapshot.meta.node_fields.indexOf(field);
let handles = 0;
let withHeapNumber = 0;
let edge = 0;
for (let node = 0; node < nodes.length; node += nodeFields) {
  const edgeCount = nodes[node + at('edge_count')];
  if (nodeTypes[nodes[node + at('type')]] === 'object' && strings[nodes[node + at('name')]] === 'TaskHandle') {
    handles++;
    for (let k = 0; k < edgeCount; k++) {
      const to = edges[edge + k * edgeFields + snapshot.meta.edge_fields.indexOf('to_node')];
      if (strings[nodes[to + at('name')]] === 'heap number') {
        withHeapNumber++;
        break;
      }
    }
  }
  edge += edgeCount * edgeFields;
}
const ids = kept.map((h) => h.id);
console.log(JSON.stringify({ handles, withHeapNumber, maxId: Math.max(...ids), distinctIds: new Set(ids).size }));
await scheduler.stop();
