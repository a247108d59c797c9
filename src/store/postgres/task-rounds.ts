// The order batched cluster writes keep (finishes, offers): rounds of at most
// one item per task, a task's items in their order round after round, so the
// items of one round touch disjoint tasks and one statement serves the round,
// and the outcome is the one of applying them one by one.

/** Applies `items` through `round` in rounds of one item per task (`taskOf`; undefined: no task, never held back); the results in the items' order. */
export async function inRoundsByTask<Item, Result>(
  items: readonly Item[], taskOf: (item: Item) => string | undefined, round: (items: Item[]) => Promise<Result[]>,
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let left = items.map((_, i) => i);
  while (left.length > 0) {
    const tasks = new Set<string>();
    const now: number[] = [];
    const later: number[] = [];
    for (const i of left) {
      const taskId = taskOf(items[i]!);
      if (taskId !== undefined && tasks.has(taskId)) later.push(i);
      else {
        if (taskId !== undefined) tasks.add(taskId);
        now.push(i);
      }
    }
    const done = await round(now.map((i) => items[i]!));
    for (const [k, i] of now.entries()) results[i] = done[k]!;
    left = later;
  }
  return results;
}
