// Rewrites the data segments of the core's shared build, for the worker pool,
// which instantiates the core once per thread on one shared memory
// (src/pool/README section "One core, many threads" in README.md).
//
// Instantiation applies a module's active data segments, writing their bytes
// into memory. The first instance on a fresh memory needs them (the nice
// weight table, the arena's column order); every later instance would
// overwrite live words with their initial values: the counters, the lane
// heads, the allocator's free lists (AssemblyScript emits the zero-filled
// static areas as segments too when the memory is imported, as a shared
// memory must be). So the build ships the shared core twice:
//   first   without its all-zero segments, for the first instance on a new
//           memory (zeroed already): ~170 KB of zeros fewer to embed
//   attach  without any data section, for every other instance, which then
//           writes nothing at all into the live memory
// The module has no start section (the build exports `_start` instead), so
// instantiating runs no code either.

const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;

function readVarU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function varU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    const [size, bodyAt] = readVarU32(bytes, at);
    out.push({ id, body: bytes.subarray(bodyAt, bodyAt + size) });
    at = bodyAt + size;
  }
  return out;
}

function assemble(header, parts) {
  const chunks = [Buffer.from(header)];
  for (const { id, body } of parts) chunks.push(Buffer.from([id, ...varU32(body.length)]), Buffer.from(body));
  return Buffer.concat(chunks);
}

/** The module without its data section (and data count): instantiating it writes nothing into memory. */
export function withoutDataSegments(bytes) {
  return assemble(bytes.subarray(0, 8), sections(bytes).filter((s) => s.id !== SECTION_DATA && s.id !== SECTION_DATA_COUNT));
}

/** The module without its all-zero active segments: for a first instance on a new, zeroed memory only. */
export function withoutZeroSegments(bytes) {
  const all = sections(bytes);
  const data = all.find((s) => s.id === SECTION_DATA);
  if (data === undefined) return Buffer.from(bytes);
  const body = data.body;
  const [count, first] = readVarU32(body, 0);
  let at = first;
  const kept = [];
  for (let i = 0; i < count; i++) {
    const start = at;
    const [flags, afterFlags] = readVarU32(body, at);
    if (flags !== 0) throw new Error(`segment ${i} has flags ${flags}: only active segments of memory 0 are expected`);
    // The offset expression: i32.const <sleb128> end.
    if (body[afterFlags] !== 0x41) throw new Error(`segment ${i}: the offset is not an i32.const`);
    let p = afterFlags + 1;
    while (body[p] & 0x80) p++;
    if (body[p + 1] !== 0x0b) throw new Error(`segment ${i}: the offset is not one i32.const`);
    const [size, bytesAt] = readVarU32(body, p + 2);
    at = bytesAt + size;
    if (body.subarray(bytesAt, at).some((b) => b !== 0)) kept.push(body.subarray(start, at));
  }
  const newBody = Buffer.concat([Buffer.from(varU32(kept.length)), ...kept.map((k) => Buffer.from(k))]);
  return assemble(
    bytes.subarray(0, 8),
    all.map((s) => {
      if (s.id === SECTION_DATA) return { id: s.id, body: newBody };
      if (s.id === SECTION_DATA_COUNT) return { id: s.id, body: Buffer.from(varU32(kept.length)) };
      return s;
    }),
  );
}
