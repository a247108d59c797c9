import { WorkerPool } from './dist/pool.js';
const F = '/work/wt-pool/test/pool/fixtures/tasks.mjs';
const pool = new WorkerPool({ threads: 2, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
await pool.ready;
for (const t of ['crash','replace','fail']) pool.events.addEventListener(t, (e) => console.log(t, JSON.stringify(e.detail)));
const echo = pool.task(F, 'echo');
const others = Array.from({ length: 200 }, (_, i) => pool.run(echo, i));
const r = pool.run(pool.task(F, process.argv[2])).then(() => 'resolved', (e) => e.code);
console.log(await r);
await Promise.all(others); console.log('others ok');
const who = pool.task(F, 'whoAmI');
for (let i = 0; i < 5; i++) { const s = new Set((await Promise.all(Array.from({length: 200}, () => pool.run(who)))).map(r => r.worker)); console.log([...s]); await new Promise(r => setTimeout(r, 200)); }
console.log('stats', JSON.stringify(pool.stats()));
await pool.close({drain:false});
