import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';

describe('postTask delay', () => {
  it('queues the task once the delay has passed, then by priority with what is ready', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push(`late@${clock.now()}`), { delay: 100 });
    void scheduler.postTask(() => log.push(`soon@${clock.now()}`), { delay: 10, priority: 'background' });
    void scheduler.postTask(() => log.push(`now@${clock.now()}`));
    await clock.advance(99);
    expect(log).toEqual(['now@0', 'soon@10']);
    await clock.advance(1);
    expect(log).toEqual(['now@0', 'soon@10', 'late@100']);
  });

  it('queues tasks whose delays end at the same instant in posting order, then by priority', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push('posted at 0 for 50'), { delay: 50 });
    await clock.advance(49);
    void scheduler.postTask(() => log.push('posted at 49 for 1'), { delay: 1 });
    void scheduler.postTask(() => log.push('user-blocking posted at 49 for 1'), { priority: 'user-blocking', delay: 1 });
    await clock.runUntilIdle();
    expect(log).toEqual(['user-blocking posted at 49 for 1', 'posted at 0 for 50', 'posted at 49 for 1']);
  });

  it('treats delay 0 as no delay and drops a fraction of a ms', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push(`fraction@${clock.now()}`), { delay: 2.9 });
    void scheduler.postTask(() => log.push(`zero@${clock.now()}`), { delay: 0 });
    await clock.runUntilIdle();
    expect(log).toEqual(['zero@0', 'fraction@2']);
  });
});
