// A worker thread's views of the memory it shares with the main thread: the
// side table (one entry per task slot: function kind, arguments, state,
// attempt, weight, dispatch number), the payload arena (serialised arguments
// and states) and the core's linear memory. Each of them can grow while the
// thread runs; a view is made again when an access falls past its end (the
// side table and the arena), or when the memory's buffer was replaced (the
// core's). Fixed-length views, not length-tracking ones: those read the
// buffer's length through a runtime call on every access (P.fixedView).
import * as L from '../../bindings/layout.generated.js';
import { readPayload } from './payload.js';
import * as P from './protocol.js';

export class SharedViews {
  readonly #args: P.LoopArgs;
  #side: Float64Array;
  #payload: Uint8Array;
  #memoryBuffer: ArrayBuffer | SharedArrayBuffer;
  #memory64: Float64Array;

  constructor(args: P.LoopArgs) {
    this.#args = args;
    this.#side = P.fixedView(Float64Array, args.side, 8);
    this.#payload = P.fixedView(Uint8Array, args.payload, 1);
    this.#memoryBuffer = args.memory.buffer;
    this.#memory64 = new Float64Array(this.#memoryBuffer);
  }

  /** The side table as of the last entry() (read it after entry(), which may make it again). */
  get side(): Float64Array {
    return this.#side;
  }

  /** Where the handle's side-table entry starts; the view is made again if the table has grown past it. */
  entry(handle: number): number {
    const at = P.slotOf(handle) * P.TASK_WORDS;
    if (at + P.TASK_WORDS > this.#side.length) this.#side = P.fixedView(Float64Array, this.#args.side, 8);
    return at;
  }

  /** A value in the payload arena; the view is made again if the arena has grown past it. */
  read(offset: number, length: number): unknown {
    if (offset + length > this.#payload.length) this.#payload = P.fixedView(Uint8Array, this.#args.payload, 1);
    return readPayload(this.#payload, offset, length);
  }

  /** The core's linear memory as float64s, made again when the memory has grown. */
  memory(): Float64Array {
    if (this.#args.memory.buffer !== this.#memoryBuffer) {
      this.#memoryBuffer = this.#args.memory.buffer;
      this.#memory64 = new Float64Array(this.#memoryBuffer);
    }
    return this.#memory64;
  }

  /** The core's count of ready tasks (read without the lock: a hint for the batch size). */
  readyCount(countersPtr: number): number {
    return this.memory()[(countersPtr >>> 3) + L.COUNTER_READY] as number;
  }
}
