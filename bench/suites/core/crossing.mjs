// The baseline: what one JS-to-wasm call costs when the wasm does nothing.
// Every core operation pays it at least once; the batch writer exists to pay
// it once per many operations. js-empty-loop is the same loop around a JS
// function V8 inlines, i.e. the loop's own share of the figure.
import '../../../scripts/current-dist.mjs';
import { Core } from '../../../dist/core.js';
import { interleave, nowMs } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';

let jsCalls = 0;
function jsNoop() {
  jsCalls++;
}

function loopOf(fn, calls) {
  const startMs = nowMs();
  for (let i = 0; i < calls; i++) fn();
  return nowMs() - startMs;
}

export function crossingCase(plan, ctx) {
  const { noop } = new Core().exports;
  const calls = plan.crossingCalls;
  const impls = [
    { name: 'timeslice-core', run: () => loopOf(noop, calls) },
    { name: 'js-empty-loop', run: () => loopOf(jsNoop, calls) },
  ];
  for (const impl of impls) impl.run();
  const samples = interleave(impls, plan.repsFor(0), (impl) => {
    const ms = impl.run();
    return { nsPerCall: (ms * 1e6) / calls, callsPerSec: calls / (ms / 1000) };
  });
  if (jsCalls === 0) throw new Error('crossing: the JS loop did not run');
  ctx.log(`crossing: ${calls} calls per sample`);
  return toRows('crossing', undefined, samples, { nsPerCall: 'ns/call', callsPerSec: 'calls/s' });
}
