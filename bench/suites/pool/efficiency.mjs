// Efficiency: n CPU-bound 5 ms tasks, submitted at once on 2 threads. Useful
// CPU (n x 5 ms, what the tasks spin) over wall time x threads, from the first
// submission to the last result.
const now = () => performance.now();

export async function efficiencyOnce(impl, { n, taskMs, threads }) {
  const t0 = now();
  const results = await Promise.all(Array.from({ length: n }, () => impl.run('work', taskMs)));
  const wall = now() - t0;
  if (results.some((r) => r !== taskMs)) throw new Error(`efficiency: ${impl.name} returned a wrong result`);
  return { efficiencyPct: ((n * taskMs) / (wall * threads)) * 100, wallMs: wall };
}
