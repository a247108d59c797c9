// What memory the process has just been handed costs on first write: a
// fresh WebAssembly.Memory (as a renewed core gets, src/engine/core-renewal.ts)
// grown to 256 MB minus its first pages, one byte written per 4 KB page, then
// the same pages written again. Wall and process CPU per page, per
// repetition. On the 2-core VM the suites run on (load 9-12): 12-17 us of
// CPU and 27-110 us of wall time per page the first time, 0.04-0.18 us after.
//
//   node bench/ab/first-touch.mjs [reps]
const PAGE_BYTES = 4096;
const WASM_PAGES = 4096; // 256 MB
const reps = Number(process.argv[2] ?? 5);
for (let rep = 0; rep < reps; rep++) {
  const memory = new WebAssembly.Memory({ initial: 6 });
  memory.grow(WASM_PAGES - 6);
  const bytes = new Uint8Array(memory.buffer);
  const pages = bytes.length / PAGE_BYTES;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < bytes.length; i += PAGE_BYTES) bytes[i] = 1;
  const firstWallUs = ((performance.now() - t0) * 1e3) / pages;
  const c1 = process.cpuUsage(c0);
  const t1 = performance.now();
  for (let i = 0; i < bytes.length; i += PAGE_BYTES) bytes[i] = 2;
  const againWallUs = ((performance.now() - t1) * 1e3) / pages;
  const firstCpuUs = (c1.user + c1.system) / pages;
  console.log(`first write ${firstWallUs.toFixed(2)} us/page wall, ${firstCpuUs.toFixed(2)} us/page CPU; again ${againWallUs.toFixed(3)} us/page wall (${pages} pages)`);
}
