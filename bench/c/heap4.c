/*
 * A native 4-ary min-heap running the core suite's two heap workloads: the
 * floor the wasm core and the JS heaps are compared against.
 *
 *   heap4 hold N M REPS SEED        fill N keys, then M timed pop-min + push(key + inc)
 *   heap4 hold-indexed N M REPS SEED  the same on the indexed heap below
 *   heap4 push-pop-all N REPS SEED  push N keys (timed), pop them all (timed)
 *
 * Prints one JSON object with the per-repetition times in ms. Keys come from
 * the same mulberry32 stream as bench/lib/random.mjs (N keys, then M
 * increments, each 1 + r * 1e6), so the checksum (sum of popped keys, in pop
 * order) must equal the JS implementations' to the last bit. Same shape as
 * bench/lib/js-4ary-heap.mjs: parallel key and id arrays, capacity doubling
 * from 1024, no position index, no tie-break.
 *
 * hold-indexed runs the same loop on the heap the core keeps (assembly/heap.ts),
 * the same work in C: every entry a sift moves writes its position into its
 * task's 64-byte row (what cancel from anywhere needs; the core's POS field,
 * libevent's min_heap_idx in struct event), and equal keys are ordered by the
 * sequence number in the row (read only when two keys are equal). Compiled by the suite with
 * gcc -O2 -ffp-contract=off (no FMA contraction: the key arithmetic must round
 * exactly as JS does).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The suite times with the monotonic clock; bench/ab/heap-ab.mjs builds with
 * -DHEAP4_CLOCK=CLOCK_PROCESS_CPUTIME_ID to compare CPU time on a shared machine. */
#ifndef HEAP4_CLOCK
#define HEAP4_CLOCK CLOCK_MONOTONIC
#endif

#define KEY_SPAN_MS 1e6
#define INITIAL_CAPACITY 1024

/* A task's row as the core lays it out (assembly/layout.ts): one cache line. */
typedef struct {
  uint32_t generation;
  uint8_t state, priority_class, kind, nice;
  uint32_t pos; /* index in the heap */
  uint32_t stats_row;
  double seq; /* tie-break of equal keys */
  double other[5];
} Task;
_Static_assert(sizeof(Task) == 64, "a task row is one cache line");

/* The plain heap has tasks == NULL; the indexed one the task rows its ids point at. */
typedef struct {
  double *keys;
  uint32_t *ids;
  size_t length;
  size_t capacity;
  Task *tasks;
} Heap;

#define INLINE static inline __attribute__((always_inline))

static void *checked(void *p) {
  if (p == NULL) {
    fprintf(stderr, "heap4: out of memory\n");
    exit(1);
  }
  return p;
}

static void heap_init(Heap *h, int indexed, size_t ids) {
  h->capacity = INITIAL_CAPACITY;
  h->length = 0;
  h->keys = checked(malloc(h->capacity * sizeof *h->keys));
  h->ids = checked(malloc(h->capacity * sizeof *h->ids));
  h->tasks = NULL;
  if (indexed) {
    size_t bytes = (ids ? ids : 1) * sizeof *h->tasks;
    h->tasks = checked(aligned_alloc(64, bytes));
    memset(h->tasks, 0, bytes);
    for (size_t i = 0; i < ids; i++) h->tasks[i].seq = (double)i;
  }
}

static void heap_free(Heap *h) {
  free(h->keys);
  free(h->ids);
  free(h->tasks);
}

/*
 * The functions below take the task rows as an argument that every caller
 * passes as a constant (NULL or h->tasks), and are always inlined, so the
 * plain heap compiles to exactly the code it would have without the index.
 */

/* a before b: smaller key; indexed, equal keys then the smaller sequence number. */
INLINE int before(const Task *tasks, double key_a, uint32_t id_a, double key_b, uint32_t id_b) {
  if (tasks == NULL || key_a != key_b) return key_a < key_b;
  return tasks[id_a].seq < tasks[id_b].seq;
}

/* Entry i now holds (key, id): the indexed heap writes the position into the task's row. */
INLINE void place(Heap *h, Task *tasks, size_t i, double key, uint32_t id) {
  h->keys[i] = key;
  h->ids[i] = id;
  if (tasks != NULL) tasks[id].pos = (uint32_t)i;
}

INLINE void push_with(Heap *h, Task *tasks, uint32_t id, double key) {
  if (h->length == h->capacity) {
    h->capacity *= 2;
    h->keys = checked(realloc(h->keys, h->capacity * sizeof *h->keys));
    h->ids = checked(realloc(h->ids, h->capacity * sizeof *h->ids));
  }
  size_t i = h->length++;
  while (i > 0) {
    size_t parent = (i - 1) >> 2;
    if (!before(tasks, key, id, h->keys[parent], h->ids[parent])) break;
    place(h, tasks, i, h->keys[parent], h->ids[parent]);
    i = parent;
  }
  place(h, tasks, i, key, id);
}

/* Removes the smallest key; the caller has read it from keys[0]. */
INLINE uint32_t pop_with(Heap *h, Task *tasks) {
  uint32_t top = h->ids[0];
  size_t n = --h->length;
  if (n == 0) return top;
  double key = h->keys[n];
  uint32_t id = h->ids[n];
  size_t i = 0;
  for (;;) {
    size_t first = (i << 2) + 1;
    if (first >= n) break;
    size_t best = first;
    double best_key = h->keys[first];
    size_t last = first + 4 < n ? first + 4 : n;
    for (size_t c = first + 1; c < last; c++) {
      if (before(tasks, h->keys[c], h->ids[c], best_key, h->ids[best])) {
        best = c;
        best_key = h->keys[c];
      }
    }
    if (!before(tasks, best_key, h->ids[best], key, id)) break;
    place(h, tasks, i, best_key, h->ids[best]);
    i = best;
  }
  place(h, tasks, i, key, id);
  return top;
}

static void heap_push(Heap *h, uint32_t id, double key) { push_with(h, NULL, id, key); }
static uint32_t heap_pop(Heap *h) { return pop_with(h, NULL); }
static void indexed_push(Heap *h, uint32_t id, double key) { push_with(h, h->tasks, id, key); }
static uint32_t indexed_pop(Heap *h) { return pop_with(h, h->tasks); }

/* mulberry32, bit for bit as bench/lib/random.mjs. */
static uint32_t rng_state;
static double rng_next(void) {
  uint32_t t = (rng_state += 0x6d2b79f5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static double *draw(size_t count) {
  double *out = checked(malloc((count ? count : 1) * sizeof *out));
  for (size_t i = 0; i < count; i++) out[i] = 1.0 + rng_next() * KEY_SPAN_MS;
  return out;
}

static double clock_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void) { return clock_ms(HEAP4_CLOCK); }

/* The process's CPU time, reported beside the wall time as the JS rows report process.cpuUsage(). */
static double cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static void print_ms(const char *name, const double *ms, int reps) {
  printf("\"%s\":[", name);
  for (int r = 0; r < reps; r++) printf("%s%.6f", r ? "," : "", ms[r]);
  printf("]");
}

/* m pops and pushes on a heap filled with n keys: the timed loop of both hold workloads. */
INLINE double hold_loop(Heap *h, int indexed, const double *incs, size_t m, long *disorder) {
  double sum = 0, last = -1.0 / 0.0;
  for (size_t i = 0; i < m; i++) {
    double key = h->keys[0];
    uint32_t id = indexed ? indexed_pop(h) : heap_pop(h);
    if (indexed) indexed_push(h, id, key + incs[i]);
    else heap_push(h, id, key + incs[i]);
    sum += key;
    if (key < last) (*disorder)++;
    last = key;
  }
  return sum;
}

static int hold(size_t n, size_t m, int reps, int indexed) {
  double *keys = draw(n);
  double *incs = draw(m);
  double *ms = checked(malloc(reps * sizeof *ms));
  double *cpu = checked(malloc(reps * sizeof *cpu));
  double checksum = 0;
  long disorder = 0;
  for (int r = 0; r < reps; r++) {
    Heap h;
    heap_init(&h, indexed, n);
    for (size_t i = 0; i < n; i++) (indexed ? indexed_push : heap_push)(&h, (uint32_t)i, keys[i]);
    double start_cpu = cpu_ms();
    double start = now_ms();
    double sum = indexed ? hold_loop(&h, 1, incs, m, &disorder) : hold_loop(&h, 0, incs, m, &disorder);
    ms[r] = now_ms() - start;
    cpu[r] = cpu_ms() - start_cpu;
    if (r > 0 && sum != checksum) disorder++; /* every repetition must do the same work */
    for (size_t i = 0; indexed && i < h.length; i++) {
      if (h.tasks[h.ids[i]].pos != i) disorder++; /* the index must be right */
    }
    checksum = sum;
    heap_free(&h);
  }
  printf("{\"workload\":\"%s\",\"n\":%zu,\"m\":%zu,", indexed ? "hold-indexed" : "hold", n, m);
  print_ms("ms", ms, reps);
  printf(",");
  print_ms("cpuMs", cpu, reps);
  printf(",\"checksum\":%.17g,\"disorder\":%ld}\n", checksum, disorder);
  free(keys);
  free(incs);
  free(ms);
  free(cpu);
  return 0;
}

static int push_pop_all(size_t n, int reps) {
  double *keys = draw(n);
  double *push_ms = checked(malloc(reps * sizeof *push_ms));
  double *pop_ms = checked(malloc(reps * sizeof *pop_ms));
  double checksum = 0;
  long disorder = 0;
  for (int r = 0; r < reps; r++) {
    Heap h;
    heap_init(&h, 0, 0);
    double sum = 0, last = -1.0 / 0.0;
    double start = now_ms();
    for (size_t i = 0; i < n; i++) heap_push(&h, (uint32_t)i, keys[i]);
    double pushed = now_ms();
    for (size_t i = 0; i < n; i++) {
      double key = h.keys[0];
      heap_pop(&h);
      sum += key;
      if (key < last) disorder++;
      last = key;
    }
    pop_ms[r] = now_ms() - pushed;
    push_ms[r] = pushed - start;
    if (r > 0 && sum != checksum) disorder++;
    checksum = sum;
    heap_free(&h);
  }
  printf("{\"workload\":\"push-pop-all\",\"n\":%zu,", n);
  print_ms("pushMs", push_ms, reps);
  printf(",");
  print_ms("popMs", pop_ms, reps);
  printf(",\"checksum\":%.17g,\"disorder\":%ld}\n", checksum, disorder);
  free(keys);
  free(push_ms);
  free(pop_ms);
  return 0;
}

int main(int argc, char **argv) {
  int indexed = argc == 6 && strcmp(argv[1], "hold-indexed") == 0;
  if (argc == 6 && (indexed || strcmp(argv[1], "hold") == 0)) {
    rng_state = (uint32_t)strtoul(argv[5], NULL, 10);
    return hold(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10), atoi(argv[4]), indexed);
  }
  if (argc == 5 && strcmp(argv[1], "push-pop-all") == 0) {
    rng_state = (uint32_t)strtoul(argv[4], NULL, 10);
    return push_pop_all(strtoull(argv[2], NULL, 10), atoi(argv[3]));
  }
  fprintf(stderr, "usage: heap4 hold|hold-indexed N M REPS SEED | heap4 push-pop-all N REPS SEED\n");
  return 2;
}
