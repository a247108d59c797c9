// Handles are plain numbers: generation * 2^24 + slot (see assembly/table.ts).
import { HANDLE_SLOT_BITS } from './layout.generated.js';

const SLOT_SCALE = 2 ** HANDLE_SLOT_BITS;

/** The table slot a handle names. */
export function slotOfHandle(handle: number): number {
  return handle % SLOT_SCALE;
}

/** The generation a handle carries; it must match its slot's for the handle to be live. */
export function generationOfHandle(handle: number): number {
  return Math.floor(handle / SLOT_SCALE);
}
