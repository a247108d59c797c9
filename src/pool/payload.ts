// Arguments and saved state, as bytes every thread can read: the payload arena.
//
// A growable SharedArrayBuffer. Only the main thread allocates and frees (a
// single writer, so the allocator needs no lock): it serialises a task's
// arguments when the task is submitted and a saved state when a worker sends
// it, and frees them when the task ends. Workers only read, at offsets the side
// table gives them. Blocks are powers of two from 64 bytes, reused through a
// free list per size, the arena grows by doubling; a block is never moved, so
// an offset stays valid for as long as its task lives.
//
// Numbers (the common tiny-task argument) never come here: the side table
// holds them inline. Everything else is serialised with node:v8's serializer,
// the structured-clone algorithm postMessage uses, so what a task accepts as
// arguments is what it could be sent: no functions, no symbols.
import { deserialize, serialize } from 'node:v8';
import { fixedView, type GrowableSharedArrayBuffer, growableSharedArrayBuffer } from './protocol.js';

const MIN_BLOCK = 64;
const INITIAL_BYTES = 1 << 20;
/** The arena's ceiling: address space reserved, not memory used. */
export const MAX_PAYLOAD_BYTES = 2 ** 30;

function blockSize(bytes: number): number {
  let size = MIN_BLOCK;
  while (size < bytes) size *= 2;
  return size;
}

export class PayloadArena {
  readonly buffer: GrowableSharedArrayBuffer;
  /** A fixed-length view (fixedView), made again when the arena grows. */
  #bytes: Uint8Array;
  #top = MIN_BLOCK; // offset 0 is never handed out
  readonly #free = new Map<number, number[]>();

  constructor() {
    this.buffer = growableSharedArrayBuffer(INITIAL_BYTES, MAX_PAYLOAD_BYTES);
    this.#bytes = fixedView(Uint8Array, this.buffer, 1);
  }

  /** Stores the serialised value; [offset, length]. Throws what node:v8 throws for a value it cannot clone, RangeError when the arena is full. */
  store(value: unknown): [offset: number, length: number] {
    return this.storeBytes(serialize(value));
  }

  /** Stores a value already serialised with node:v8 (a worker's saved state); [offset, length]. RangeError when the arena is full. */
  storeBytes(bytes: Uint8Array): [offset: number, length: number] {
    const size = blockSize(bytes.length);
    let offset = this.#free.get(size)?.pop();
    if (offset === undefined) {
      offset = this.#top;
      if (offset + size > this.#bytes.length) {
        let grown = this.#bytes.length;
        while (offset + size > grown) grown *= 2;
        if (grown > MAX_PAYLOAD_BYTES) throw new RangeError(`the payload arena is full (${MAX_PAYLOAD_BYTES} bytes of arguments and saved state)`);
        this.buffer.grow(grown);
        this.#bytes = fixedView(Uint8Array, this.buffer, 1);
      }
      this.#top += size;
    }
    this.#bytes.set(bytes, offset);
    return [offset, bytes.length];
  }

  free(offset: number, length: number): void {
    const size = blockSize(length);
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, (list = []));
    list.push(offset);
  }

  /** Bytes in use or on free lists (the arena's high-water mark). */
  get usedBytes(): number {
    return this.#top;
  }
}

/** Reads a value stored by PayloadArena.store, from any thread (a view that covers it: PayloadReader). */
export function readPayload(bytes: Uint8Array, offset: number, length: number): unknown {
  return deserialize(bytes.subarray(offset, offset + length));
}
