// The batch command buffer: bulk work pays one boundary crossing.
//
// The bindings write up to CMD_CAPACITY fixed-size records (see layout.ts:
// op, arg, a, b) into `commandBuffer`, then call runBatch(count, now, maxOut).
// Each record's RESULT word receives its answer (a new handle, or a status),
// then the core releases due timers and pops up to maxOut ready tasks into
// `outputBuffer`: one call registers, completes and answers "what runs next".

import {
  CMD_CAPACITY, CMD_STRIDE, CMD_OP, CMD_ARG, CMD_A, CMD_B, CMD_RESULT, OUT_CAPACITY, NICE_MIN,
  OP_REGISTER, OP_CANCEL, OP_SET_CLASS, OP_SET_NICE, OP_CHARGE, OP_COMPLETE, OP_REQUEUE,
  OP_RETRY, OP_PAUSE, OP_RESUME, OP_RUN_NOW,
  STATUS_BAD_OPCODE, STATUS_BATCH_TOO_LARGE, STATUS_BAD_ARGUMENT,
} from "./layout";
import { register, advance, pop } from "./tasks";
import { charge, complete, requeue, retry } from "./runs";
import { cancel, setClass, setNice, pause, resume, runNow } from "./task-controls";
import { isTime } from "./task-state";

export const commandBuffer: usize = memory.data(CMD_CAPACITY * CMD_STRIDE, 16);
export const outputBuffer: usize = memory.data(OUT_CAPACITY * 8, 16);

function execute(record: usize, nowMs: f64): f64 {
  const op = load<u32>(record, CMD_OP);
  const arg = load<u32>(record, CMD_ARG);
  const a = load<f64>(record, CMD_A);
  const b = load<f64>(record, CMD_B);
  switch (op) {
    case OP_REGISTER:
      return register(nowMs, <i32>(arg & 0xff), <i32>((arg >> 16) & 0xff) + NICE_MIN, <i32>((arg >> 8) & 0xff), a, b);
    case OP_CANCEL: return cancel(a);
    case OP_SET_CLASS: return setClass(a, <i32>arg);
    case OP_SET_NICE: return setNice(a, <i32>arg + NICE_MIN);
    case OP_CHARGE: return charge(a, b);
    case OP_COMPLETE: return complete(a, nowMs, <i32>arg);
    case OP_REQUEUE: return requeue(a, nowMs, <i32>arg);
    case OP_RETRY: return retry(a, nowMs, b);
    case OP_PAUSE: return pause(a);
    case OP_RESUME: return resume(a, nowMs);
    case OP_RUN_NOW: return runNow(a, nowMs);
    default: return STATUS_BAD_OPCODE;
  }
}

/**
 * Runs `count` commands, releases due timers, then pops up to maxOut ready
 * tasks into the output buffer. Returns how many were popped, or a status.
 */
export function runBatch(count: i32, nowMs: f64, maxOut: i32): i32 {
  if (count < 0 || count > CMD_CAPACITY || maxOut < 0 || maxOut > OUT_CAPACITY) return STATUS_BATCH_TOO_LARGE;
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  for (let i = 0; i < count; i++) {
    const record = commandBuffer + <usize>i * CMD_STRIDE;
    store<f64>(record, execute(record, nowMs), CMD_RESULT);
  }
  const moved = advance(nowMs);
  if (moved < 0) return moved;
  let popped = 0;
  while (popped < maxOut) {
    const handle = pop(nowMs);
    if (handle < 0) break;
    store<f64>(outputBuffer + (<usize>popped << 3), handle);
    popped++;
  }
  return popped;
}
