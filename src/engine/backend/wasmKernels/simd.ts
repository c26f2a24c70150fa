/**
 * Loops of our own in WebAssembly SIMD, run directly on the wasm backend's heap: for the gradient
 * kernels whose typed-array loops in JavaScript cost 4–20 ns per element, where a 128-bit lane does
 * four elements per instruction. The module is assembled here from its instructions (no toolchain
 * at build time) and imports the backend's own memory, so it reads and writes tensors in place by
 * their byte offsets. Each function's instructions are spelled out beside what they compute.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The exported functions: byte offsets into the backend's heap, and counts. */
export interface SimdKernels {
  /**
   * One output row of a 2×2, stride-2 MaxPoolGrad with channels a multiple of 4: for each window
   * (x00, x01 on input row r0; x10, x11 on row r1), dy goes to the first cell holding the window's
   * maximum, where NaN never wins and an all −∞ window sends nothing (as the cpu backend); the other
   * three cells get 0. Rows are bytes from the row's first pixel; `pixelBytes` = channels × 4.
   */
  maxPoolGrad2x2Row(x0: number, x1: number, dy: number, dx0: number, dx1: number, windows: number, pixelBytes: number): void;
  /**
   * out = dy · mask over `bytes` (a multiple of 16) of float32s, mask = 1 where lo < y and not y ≥ hi,
   * NaN where y is NaN, else 0: dy · step(y) for ReLU (hi NaN: no upper bound), dy · step(y · (6 − y))
   * for ReLU6 (lo 0, hi 6), as tfjs computes them, NaN and ±∞ alike.
   */
  maskedGradient(dy: number, y: number, out: number, bytes: number, lo: number, hi: number): void;
}

// Instruction encodings (WebAssembly 2.0 core and fixed-width SIMD).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
};
/** SIMD instructions: the 0xfd prefix, then the opcode as LEB128. */
const simd = {
  load: [0xfd, 0x00, 0x00, 0x00], // v128.load align=1 offset=0
  store: [0xfd, 0x0b, 0x00, 0x00], // v128.store align=1 offset=0
  f32Splat: [0xfd, 0x13],
  f32Eq: [0xfd, 0x41],
  f32Ne: [0xfd, 0x42],
  f32Gt: [0xfd, 0x44],
  f32Ge: [0xfd, 0x46],
  f32Mul: [0xfd, 0xe6, 0x01],
  not: [0xfd, 0x4d],
  and: [0xfd, 0x4e],
  andNot: [0xfd, 0x4f], // a & ~b
  or: [0xfd, 0x50],
  f32Pmax: [0xfd, 0xeb, 0x01], // b if a < b else a: a NaN in b never replaces a
};

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vector([...Buffer.from(s, 'utf8')].map((b) => [b]));

/** v128 constant with the same float in every lane. */
function f32x4Const(value: number): number[] {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let lane = 0; lane < 4; lane++) view.setFloat32(lane * 4, value, true);
  return [0xfd, 0x0c, ...bytes];
}

const get = (local: number) => [op.get, local];
const set = (local: number) => [op.set, local];

/** maxPoolGrad2x2Row's body. Params 0–6: x0, x1, dy, dx0, dx1, windows, pixelBytes. */
function maxPoolGrad2x2RowBody(): number[] {
  const [x0, x1, dy, dx0, dx1, windows, pixel] = [0, 1, 2, 3, 4, 5, 6];
  // Locals: k (byte offset within the pixel), then v128s.
  const [k, a, b, c, d, m, taken, g] = [7, 8, 9, 10, 11, 12, 13, 14];
  const locals = vector([[1, I32], [7, V128]]);
  const addr = (base: number, plusPixel: boolean) => [...get(base), ...get(k), op.i32Add, ...(plusPixel ? [...get(pixel), op.i32Add] : [])];
  const load = (base: number, plusPixel: boolean, into: number) => [...addr(base, plusPixel), ...simd.load, ...set(into)];
  /** dx at the cell = dy where the cell is the first to hold m (its lanes then join `taken`), else 0. */
  const route = (cell: number, base: number, plusPixel: boolean, last = false) => [
    ...addr(base, plusPixel), ...get(g),
    ...get(cell), ...get(m), ...simd.f32Eq, ...get(taken), ...simd.andNot, // sel = (cell == m) & ~taken
    ...(last ? [] : [op.tee, cell]), // kept in the cell's local, which is read no more
    ...simd.and, ...simd.store,
    ...(last ? [] : [...get(taken), ...get(cell), ...simd.or, ...set(taken)]),
  ];
  const body = [
    op.loop, 0x40, // per window
    op.i32Const, 0, ...set(k),
    op.loop, 0x40, // per 4 channels
    ...load(x0, false, a), ...load(x0, true, b), ...load(x1, false, c), ...load(x1, true, d),
    ...get(dy), ...get(k), op.i32Add, ...simd.load, ...set(g),
    // m = the window's maximum ignoring NaN: pmax keeps its first operand when the second is NaN.
    ...f32x4Const(-Infinity), ...get(a), ...simd.f32Pmax, ...get(b), ...simd.f32Pmax, ...get(c), ...simd.f32Pmax, ...get(d), ...simd.f32Pmax, ...set(m),
    // taken starts as the lanes where m is −∞ (every cell −∞ or NaN): no cell is chosen there.
    ...get(m), ...f32x4Const(-Infinity), ...simd.f32Gt, ...simd.not, ...set(taken),
    // Row-major order: (0,0), (0,1), (1,0), (1,1); ties go to the first.
    ...route(a, dx0, false), ...route(b, dx0, true), ...route(c, dx1, false), ...route(d, dx1, true, true),
    ...get(k), op.i32Const, 16, op.i32Add, op.tee, k, ...get(pixel), op.i32LtU, op.brIf, 0,
    op.end,
    // Next window: two pixels on in x and dx, one in dy.
    ...[x0, x1, dx0, dx1].flatMap((p) => [...get(p), ...get(pixel), op.i32Add, ...get(pixel), op.i32Add, ...set(p)]),
    ...get(dy), ...get(pixel), op.i32Add, ...set(dy),
    ...get(windows), op.i32Const, ...sleb(1), op.i32Sub, op.tee, windows, op.i32Const, 0, op.i32Ne, op.brIf, 0,
    op.end,
    op.end,
  ];
  return [...locals, ...body];
}

/** maskedGradient's body. Params 0–5: dy, y, out, bytes, lo, hi. */
function maskedGradientBody(): number[] {
  const [dy, y, out, bytes, lo, hi] = [0, 1, 2, 3, 4, 5];
  const [i, low, high, v] = [6, 7, 8, 9];
  const locals = vector([[1, I32], [3, V128]]);
  const at = (base: number) => [...get(base), ...get(i), op.i32Add];
  const body = [
    ...get(lo), ...simd.f32Splat, ...set(low),
    ...get(hi), ...simd.f32Splat, ...set(high),
    op.loop, 0x40,
    ...at(y), ...simd.load, ...set(v),
    ...at(out),
    ...at(dy), ...simd.load,
    // mask = (1 & (v > lo & ~(v ≥ hi))) | (NaN & (v ≠ v))
    ...f32x4Const(1), ...get(v), ...get(low), ...simd.f32Gt, ...get(v), ...get(high), ...simd.f32Ge, ...simd.andNot, ...simd.and,
    ...f32x4Const(Number.NaN), ...get(v), ...get(v), ...simd.f32Ne, ...simd.and, ...simd.or,
    ...simd.f32Mul, ...simd.store,
    ...get(i), op.i32Const, 16, op.i32Add, op.tee, i, ...get(bytes), op.i32LtU, op.brIf, 0,
    op.end,
    op.end,
  ];
  return [...locals, ...body];
}

/** The functions: name, parameter types, body. */
const FUNCTIONS: Array<[string, number[], () => number[]]> = [
  ['maxPoolGrad2x2Row', [I32, I32, I32, I32, I32, I32, I32], maxPoolGrad2x2RowBody],
  ['maskedGradient', [I32, I32, I32, I32, F32, F32], maskedGradientBody],
];

function moduleBytes(): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // One type per function, no results.
    ...section(1, vector(FUNCTIONS.map(([, params]) => [0x60, ...vector(params.map((t) => [t])), ...vector([])]))),
    // (import "env" "memory" (memory 0)): the backend's heap, any size.
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vector(FUNCTIONS.map((_, index) => uleb(index)))),
    ...section(7, vector(FUNCTIONS.map(([fn], index) => [...name(fn), 0x00, ...uleb(index)]))),
    ...section(10, vector(FUNCTIONS.map(([, , body]) => {
      const code = body();
      return [...uleb(code.length), ...code];
    }))),
  ]);
}

/** The WebAssembly API of the JS engine (this project's TypeScript libs have no DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;
const instances = new WeakMap<object, SimdKernels>();

/** The SIMD kernels bound to this backend's heap, or undefined where its memory is not reachable. */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (!kernels) {
    compiled ??= new wasmApi.Module(moduleBytes());
    kernels = new wasmApi.Instance(compiled, { env: { memory } }).exports as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}
