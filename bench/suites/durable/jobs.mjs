// What every implementation's no-op job leaves behind: one mark per run in a
// byte per job, so a lost or duplicated run stops the suite.

/** Throws unless every job ran exactly `times` times. */
export function expectEach(impl, runs, times) {
  let lost = 0;
  let extra = 0;
  for (const count of runs) {
    if (count < times) lost++;
    else if (count > times) extra++;
  }
  if (lost > 0 || extra > 0) throw new Error(`${impl}: ${lost} of ${runs.length} jobs ran fewer than ${times} times, ${extra} more`);
}
