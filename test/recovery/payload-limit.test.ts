// Durable payloads have a size limit (maxPayloadBytes, 1 MiB by default): a
// params, metadata or saved state larger than it is refused with
// PayloadTooLargeError before anything is written.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { harness, outcomes } from './helpers.js';

const MIB = 1 << 20;
const text = (bytes: number) => 'x'.repeat(bytes);

describe('the durable payload size limit', () => {
  it('refuses params and metadata over 1 MiB by default, naming the option, and stores nothing', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('job', () => {});
    // '"' + 1 MiB - 2 characters + '"' is exactly 1 MiB of JSON: accepted; one more character is not.
    await s.schedule({ id: 'fits', fn: 'job', after: 10, params: text(MIB - 2) });
    await expect(s.schedule({ id: 'big', fn: 'job', after: 10, params: text(MIB - 1) })).rejects.toMatchObject({
      code: 'ERR_PAYLOAD_TOO_LARGE', path: 'schedule: options.params', maxBytes: MIB,
    });
    await expect(s.schedule({ id: 'meta', fn: 'job', after: 10, metadata: { blob: text(MIB) } })).rejects.toMatchObject({
      code: 'ERR_PAYLOAD_TOO_LARGE', path: 'schedule: options.metadata',
    });
    await expect(s.scheduleMany([{ id: 'a', fn: 'job', after: 1 }, { id: 'b', fn: 'job', after: 1, params: [text(MIB)] }])).rejects.toMatchObject({
      code: 'ERR_PAYLOAD_TOO_LARGE', path: 'scheduleMany: tasks[1].params',
    });
    expect([...h.database.tasks.keys()]).toEqual(['fits']);
    await s.stop();
  });

  it('takes a larger limit when asked, and refuses a saved state over it', async () => {
    const h = harness();
    const s = h.scheduler({ maxPayloadBytes: 4 * MIB });
    const saved: unknown[] = [];
    s.define('job', async (_p, ctx) => {
      await ctx.saveState(text(MIB));
      saved.push(await ctx.saveState(text(5 * MIB)).catch((e: unknown) => (e as { code: string }).code));
    });
    s.start();
    await s.ready;
    await s.schedule({ id: 'big', fn: 'job', after: 10, params: text(3 * MIB) });
    await h.clock.advance(10);
    expect(saved).toEqual(['ERR_PAYLOAD_TOO_LARGE']);
    expect(outcomes(h.database, 'big')).toEqual([[10, 'succeeded']]);
    expect(h.database.executions.values().next().value?.state).toHaveLength(MIB + 2);
    await s.stop();
  });

  it('validates the option', () => {
    expect(() => new Scheduler({ store: 'x.db', maxPayloadBytes: 10 })).toThrow(/options.maxPayloadBytes must be an integer from 1024 to 1073741824 \(1 GiB\), received 10/);
    expect(() => new Scheduler({ maxPayloadBytes: MIB })).toThrow(/options.maxPayloadBytes applies only with options.store/);
  });
});
