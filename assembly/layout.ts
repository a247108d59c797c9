// The one description of the core's memory, its status codes and its enums.
// `scripts/generate-layout.mjs` turns every `export const NAME: type = value;`
// line of this file into `bindings/layout.generated.ts`; a test fails when the
// two drift apart. Keep every value a plain integer literal.
//
// Linear memory
//
//   0                                        __heap_base (rounded to 64)
//   +----------------------------------------+-----------------------------------+
//   | static: command buffer, output buffer, | arena: columns, each sized to its |
//   | global counters, column base table     | group's capacity, laid end to end |
//   +----------------------------------------+-----------------------------------+
//
// Arena columns. A group's columns all have one capacity and grow together;
// growing a group moves later columns up (memory.copy, last column first), so
// the arena never holds dead space.
//
//   group TABLE: one column, COL_TASKS, of TASK_ROW_BYTES rows, row = slot.
//   A task's hot fields share one 64-byte row, one cache line (the column
//   starts 64-aligned): pop, charge and requeue of a task touch one line of
//   the table, not one per field. FIELD_* are byte offsets in the row.
//
//      0       4     5     6     7     8       12          16
//     +-------+-----+-----+-----+-----+-------+-----------+
//     | GEN   |STATE|CLASS|KIND |NICE | POS   | STATS_ROW |
//     | u32   | u8  | u8  | u8  | u8  | u32   | u32       |
//     +-------+-----+-----+-----+-----+-------+-----------+
//     16          24          32          40          48          56    60  61  62  64
//     +-----------+-----------+-----------+-----------+-----------+-----+---+---+---+
//     | SEQ f64   | DUE f64   | PERIOD f64| VRUNTIME  | STAMP f64 |PREV |QUE|LAN|   |
//     +-----------+-----------+-----------+-----------+-----------+-----+---+---+---+
//
//     GEN        generation of the slot (handles carry it; bumped when freed)
//     STATE      STATE_*                 CLASS  priority class
//     KIND       KIND_*                  NICE   nice - NICE_MIN (0..39)
//     POS        where the task is queued: its index in the heap STATE names
//                (ready or timer), or, in a ready lane or a timer bucket, the
//                next slot of its list; in a free slot, the next free slot
//     STATS_ROW  the task's row in group STATS, 0 until its first start
//     SEQ        sequence number: the tie-break of equal heap keys
//     DUE        nominal time of the pending (or current) run, ms
//     PERIOD     ms between runs of a periodic task
//     VRUNTIME   virtual runtime (fair policy), ms
//     STAMP      when the task became ready (when it will, while waiting or
//                paused: a waiting task's fire time, the timer queue's key), ms
//     PREV       in a ready lane or a timer bucket, the previous slot of its list
//     QUE        QUEUE_*: where a READY or WAITING task is queued (a lane or bucket, or the heap)
//     LAN        unused since timers wait in far buckets (timers.ts: a timer's bucket follows from its key)
//
//   group READY (the ready heap, entry i)       READY_KEY f64 | READY_SLOT u32
//   (ready tasks that arrive in key order wait in per-class lanes linked
//   through their rows instead: see ready.ts)
//   group TIMER (the timer heap, entry i)       TIMER_KEY f64 | TIMER_SLOT u32
//   (timers wait unsorted in far buckets linked through their rows until
//   they come near, then in this heap: see timers.ts)
//   group STATS (cold counters, struct-of-arrays, one row per task that has
//   started at least once)
//     RUNS u32 | FAILURES u32 | OVERRUNS u32 | MISSED u32 | PREEMPTIONS u32 |
//     NEXT_FREE u32 | RUNTIME f64 | WAIT f64 | MAX_RUNTIME f64 | RUN_RUNTIME f64 |
//     LAST_START f64 | LAST_END f64
//   RUN_RUNTIME is the runtime of the current run segment: the quantum a
//   running task has used.

// ---- status codes: every mutating export returns one (negative = refused) ----
export const STATUS_OK: i32 = 0;
/** charge(): the task has used its whole quantum. */
export const STATUS_SLICE_SPENT: i32 = 1;
/** complete()/finish(): the run ended and so did the task (its slot is freed, its handle now stale). */
export const STATUS_ENDED: i32 = 2;
/** The handle is not a number the core ever hands out (NaN, zero, fraction, too large). */
export const STATUS_BAD_HANDLE: i32 = -1;
/** The handle's slot was freed or reused: its task has ended. */
export const STATUS_STALE_HANDLE: i32 = -2;
/** An argument is out of range (class, nice, kind, negative or non-finite time). */
export const STATUS_BAD_ARGUMENT: i32 = -3;
/** The task is not in a state that allows the operation (e.g. charge while not running). */
export const STATUS_WRONG_STATE: i32 = -4;
/** pop() found no ready task. */
export const STATUS_EMPTY: i32 = -5;
/** The table cannot grow: wasm memory refused or MAX_SLOTS reached. */
export const STATUS_NO_MEMORY: i32 = -6;
/** A batch command has an unknown opcode. */
export const STATUS_BAD_OPCODE: i32 = -7;
/** A batch asked for more commands or outputs than the buffers hold. */
export const STATUS_BATCH_TOO_LARGE: i32 = -8;

// ---- task states ----
export const STATE_FREE: i32 = 0;
/** In the timer heap, due at DUE. */
export const STATE_WAITING: i32 = 1;
/** In the ready heap. */
export const STATE_READY: i32 = 2;
/** Handed out by pop(); charge/requeue/complete/retry apply. */
export const STATE_RUNNING: i32 = 3;
/** In no heap until resumed. */
export const STATE_PAUSED: i32 = 4;

// ---- task kinds ----
export const KIND_ONCE: i32 = 0;
/** Fixed rate: next nominal time = previous nominal time + period (missed ticks skipped). */
export const KIND_FIXED_RATE: i32 = 1;
/** Fixed delay: next start = completion time + period. */
export const KIND_FIXED_DELAY: i32 = 2;

// ---- policies (keys of the one ready heap) ----
export const POLICY_DEADLINE: i32 = 0;
export const POLICY_PRIORITY: i32 = 1;
export const POLICY_FAIR: i32 = 2;
export const POLICY_ROUND_ROBIN: i32 = 3;
export const POLICY_COUNT: i32 = 4;

// ---- priority classes (0 is the most urgent) ----
export const CLASS_CRITICAL: i32 = 0;
export const CLASS_HIGH: i32 = 1;
export const CLASS_NORMAL: i32 = 2;
export const CLASS_LOW: i32 = 3;
export const CLASS_BACKGROUND: i32 = 4;
export const CLASS_COUNT: i32 = 5;

// ---- nice levels (fair policy weights, as Linux: 1024 at nice 0, ~1.25x a step) ----
export const NICE_MIN: i32 = -20;
export const NICE_MAX: i32 = 19;
export const NICE_0_WEIGHT: i32 = 1024;

// ---- handles: generation * 2^24 + slot, an exact integer below 2^53 ----
export const HANDLE_SLOT_BITS: i32 = 24;
export const MAX_SLOTS: i32 = 16777216;
export const MAX_GENERATION: i32 = 536870911;

// ---- requeue modes ----
/** Back into the ready heap behind every task of equal key (new sequence number). */
export const REQUEUE_TAIL: i32 = 0;
/** Keep the sequence number (and, under deadline, the key): ahead of newer equal tasks. */
export const REQUEUE_KEEP_PLACE: i32 = 1;
/** Flag: count this requeue as a preemption (quantum spent, or a more urgent task arrived). */
export const REQUEUE_PREEMPTED: i32 = 2;

// ---- complete() flags ----
/** The run failed (counted as a failure, not a completion). */
export const COMPLETE_FAILED: i32 = 1;
/** The task ends after this run even if it is periodic (maxRuns reached, noReschedule). */
export const COMPLETE_FINAL: i32 = 2;

// ---- batch command buffer: CMD_CAPACITY records of CMD_STRIDE bytes ----
export const CMD_CAPACITY: i32 = 4096;
export const CMD_STRIDE: i32 = 32;
export const CMD_OP: i32 = 0;
/** u32: register: class | kind << 8 | (nice - NICE_MIN) << 16; set-class: class; set-nice: nice - NICE_MIN; complete: COMPLETE_* flags; requeue: mode. */
export const CMD_ARG: i32 = 4;
/** f64: the handle, or register's delay in ms. */
export const CMD_A: i32 = 8;
/** f64: register's period in ms, charge's elapsed ms, retry's delay in ms. */
export const CMD_B: i32 = 16;
/** f64 written by the core: a new handle (register) or a status code. */
export const CMD_RESULT: i32 = 24;

export const OP_REGISTER: i32 = 1;
export const OP_CANCEL: i32 = 2;
export const OP_SET_CLASS: i32 = 3;
export const OP_SET_NICE: i32 = 4;
export const OP_CHARGE: i32 = 5;
export const OP_COMPLETE: i32 = 6;
export const OP_REQUEUE: i32 = 7;
export const OP_RETRY: i32 = 8;
export const OP_PAUSE: i32 = 9;
export const OP_RESUME: i32 = 10;
export const OP_RUN_NOW: i32 = 11;

/** Output buffer: handles (f64) of tasks the batch call popped to run. */
export const OUT_CAPACITY: i32 = 4096;

// ---- global counters: COUNTER_COUNT f64 words ----
export const COUNTER_REGISTERED: i32 = 0;
export const COUNTER_CANCELLED: i32 = 1;
export const COUNTER_STARTS: i32 = 2;
export const COUNTER_COMPLETED: i32 = 3;
export const COUNTER_FAILURES: i32 = 4;
export const COUNTER_RETRIES: i32 = 5;
export const COUNTER_OVERRUNS: i32 = 6;
export const COUNTER_MISSED: i32 = 7;
export const COUNTER_PREEMPTIONS: i32 = 8;
export const COUNTER_RUNTIME_MS: i32 = 9;
export const COUNTER_WAIT_MS: i32 = 10;
export const COUNTER_LIVE: i32 = 11;
export const COUNTER_READY: i32 = 12;
export const COUNTER_WAITING: i32 = 13;
export const COUNTER_RUNNING: i32 = 14;
export const COUNTER_PAUSED: i32 = 15;
export const COUNTER_COUNT: i32 = 16;

// ---- arena columns: id, element size in bytes, group ----
export const GROUP_TABLE: i32 = 0;
export const GROUP_READY: i32 = 1;
export const GROUP_TIMER: i32 = 2;
export const GROUP_STATS: i32 = 3;
export const GROUP_COUNT: i32 = 4;

/** The task table: one TASK_ROW_BYTES row per slot (group TABLE). */
export const COL_TASKS: i32 = 0;
export const COL_READY_KEY: i32 = 1;
export const COL_READY_SLOT: i32 = 2;
export const COL_TIMER_KEY: i32 = 3;
export const COL_TIMER_SLOT: i32 = 4;
// group STATS, one column per counter:
export const COL_RUNS: i32 = 5;
export const COL_FAILURES: i32 = 6;
export const COL_OVERRUNS: i32 = 7;
export const COL_MISSED: i32 = 8;
export const COL_PREEMPTIONS: i32 = 9;
export const COL_NEXT_FREE: i32 = 10;
export const COL_RUNTIME: i32 = 11;
export const COL_WAIT: i32 = 12;
export const COL_MAX_RUNTIME: i32 = 13;
export const COL_RUN_RUNTIME: i32 = 14;
export const COL_LAST_START: i32 = 15;
export const COL_LAST_END: i32 = 16;
export const COL_COUNT: i32 = 17;

// ---- fields of a task row: byte offsets in COL_TASKS (see the diagram) ----
export const TASK_ROW_BYTES: i32 = 64;
export const FIELD_GEN: i32 = 0;
export const FIELD_STATE: i32 = 4;
export const FIELD_CLASS: i32 = 5;
export const FIELD_KIND: i32 = 6;
export const FIELD_NICE: i32 = 7;
export const FIELD_POS: i32 = 8;
export const FIELD_STATS_ROW: i32 = 12;
export const FIELD_SEQ: i32 = 16;
export const FIELD_DUE: i32 = 24;
export const FIELD_PERIOD: i32 = 32;
export const FIELD_VRUNTIME: i32 = 40;
export const FIELD_STAMP: i32 = 48;
export const FIELD_PREV: i32 = 56;
export const FIELD_QUEUE: i32 = 60;
export const FIELD_LANE: i32 = 61;
/** Bytes 62..63 of a row are unused. */
export const TASK_ROW_SPARE_BYTES: i32 = 2;

// ---- where a READY or WAITING task is queued (FIELD_QUEUE) ----
/** In the ready heap, or the timer heap if WAITING (its POS is a heap index). */
export const QUEUE_HEAP: i32 = 0;
/** In its class's ready lane, or in a far bucket of the timer queue if WAITING (POS and PREV link the list). */
export const QUEUE_LANE: i32 = 1;

/** Initial capacity of every group; each grows when full (arena.ts reserve()). */
export const INITIAL_CAPACITY: i32 = 1024;

// ---- shared state: the core's module-level variables, in linear memory ----
// Not wasm globals: globals belong to one instance, and the worker pool runs
// several instances of the core (one per thread) on one shared memory. Every
// variable the core keeps between calls is a word of this block (shared-state.ts),
// so whichever instance makes a call sees and updates the same values. u32
// words first, then f64 words, each at a fixed byte offset.
/** u32: where the arena begins (__heap_base rounded up to 64). */
export const STATE_ARENA_START: i32 = 0;
/** u32: head of the free-slot list (0xffffffff: none). */
export const STATE_FREE_SLOT_HEAD: i32 = 4;
/** u32: slots below this have been handed out at least once. */
export const STATE_SLOT_HIGH_WATER: i32 = 8;
/** u32: slots in use. */
export const STATE_LIVE_SLOTS: i32 = 12;
/** u32: next slot to recycle in address order once the table has emptied. */
export const STATE_RECYCLE_CURSOR: i32 = 16;
/** u32: head of the free stats-row list (0xffffffff: none). */
export const STATE_FREE_ROW_HEAD: i32 = 20;
/** u32: stats rows below this have been handed out (rows are 1-based). */
export const STATE_ROW_HIGH_WATER: i32 = 24;
/** i32: the ready-queue policy (POLICY_*). */
export const STATE_POLICY: i32 = 28;
/** u32: first slot of the list of RUNNING tasks (linked through POS and PREV), 0xffffffff: none. */
export const STATE_RUNNING_HEAD: i32 = 32;
/** u32: RUNNING tasks. */
export const STATE_RUNNING_COUNT: i32 = 36;
/** f64: the next sequence number. */
export const STATE_SEQUENCE: i32 = 40;
/** f64: the quantum, ms. */
export const STATE_QUANTUM_MS: i32 = 48;
/** f64: the fair policy's floor of virtual runtime. */
export const STATE_MIN_VRUNTIME: i32 = 56;
/**
 * u32: the generation a row gets when it is handed out for the first time
 * (1 in a new core; more in a core that replaces one, so that no handle of
 * the old core ever names a task of the new one: src/engine/core-renewal.ts).
 */
export const STATE_GENERATION_BASE: i32 = 64;
/** u32: the highest generation any slot has had (what a replacing core's base must exceed). */
export const STATE_GENERATION_HIGH: i32 = 68;
export const STATE_BYTES: i32 = 72;

// ---- the worker pool (src/pool/, assembly/pool/placement.ts) ----
/** poolTake(): at most this many tasks handed to one worker per call. */
export const POOL_TAKE_MAX: i32 = 64;
/** poolTake()'s maxClass for a worker that takes every class. */
export const POOL_ANY_CLASS: i32 = 4;
