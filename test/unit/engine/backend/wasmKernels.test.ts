/**
 * Our wasm gradient kernels against the cpu backend (and, where cpu ignores an attribute —
 * dilations in conv and depthwise backprop — against plain reference loops) on seeded
 * random shapes, strides, paddings and dilations; end-to-end gradients of small models on
 * wasm vs cpu; no leaked tensors or wasm buffers; registration.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { makeRng } from '../../../../src/engine/common/random';
import { registerWasmKernels, wasmKernelConfigs } from '../../../../src/engine/backend/wasmKernels/registerAll';
import { CLIP_GRAD } from '../../../../src/engine/backend/wasmKernels/ClipGrad';
import { simdKernels } from '../../../../src/engine/backend/wasmKernels/simd';
import { ACTIVATION_MASK } from '../../../../src/engine/common/kernelNames';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const TOLERANCE = 1e-4;
type Shape4 = [number, number, number, number];
type Pad = tf.Conv2DAttrs['pad'];

const rng = makeRng;
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const uniforms = (r: () => number, n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);

/** Host-side values for a kernel input, materialized on whichever backend is active. */
interface Host {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}
const host = (shape: number[], values: Float32Array | Int32Array, dtype: Host['dtype'] = 'float32'): Host =>
  ({ shape, values, dtype });

/** Runs one kernel on the active backend; asserts it leaves no tensor, engine buffer or backend buffer behind. */
function runKernel(kernelName: string, inputs: Record<string, Host>, attrs: object): { values: Float32Array; shape: number[]; dtype: string } {
  const tensors: tf.NamedTensorMap = {};
  for (const [name, h] of Object.entries(inputs)) tensors[name] = tf.tensor(h.values, h.shape, h.dtype);
  const before = tf.memory();
  const idsBefore = tf.backend().numDataIds();
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(out.dataSync()), shape: out.shape, dtype: out.dtype as string };
  out.dispose();
  const after = tf.memory();
  assert.strictEqual(after.numTensors, before.numTensors, `${kernelName} on ${tf.getBackend()} leaked tensors`);
  assert.strictEqual(after.numDataBuffers, before.numDataBuffers, `${kernelName} on ${tf.getBackend()} leaked data buffers`);
  assert.strictEqual(tf.backend().numDataIds(), idsBefore, `${kernelName} on ${tf.getBackend()} leaked backend buffers`);
  tf.dispose(Object.values(tensors));
  return result;
}

async function onBackend<T>(name: 'wasm' | 'cpu', f: () => T): Promise<T> {
  if (name === 'wasm') await initBackend('wasm');
  else await tf.setBackend('cpu');
  return f();
}

/** max |a - b| / max |b|, the error measure reported for every comparison. */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.strictEqual(actual.length, expected.length, 'sizes differ');
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]) !== Number.isNaN(actual[i])) return Infinity;
    if (Number.isNaN(expected[i])) continue;
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

const worst: Record<string, number> = {};
function assertClose(label: string, kernel: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const err = relError(actual, expected);
  worst[kernel] = Math.max(worst[kernel] ?? 0, err);
  assert.ok(err <= TOLERANCE, `${label}: relative error ${err}`);
}

// ---- random conv geometries -------------------------------------------------------------

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  info: tf.backend_util.Conv2DInfo;
  label: string;
}

function describeCase(x: Shape4, filter: Shape4, strides: [number, number], dilations: [number, number], pad: Pad,
  dimRoundingMode: ConvCase['dimRoundingMode'], depthwise: boolean): ConvCase {
  const info = tf.backend_util.computeConv2DInfo(x, filter, strides, dilations, pad, dimRoundingMode, depthwise);
  const label = `x[${x}] f[${filter}] s[${strides}] d[${dilations}] pad ${JSON.stringify(pad)}${dimRoundingMode ? ' ' + dimRoundingMode : ''}`;
  return { x, filter, strides, dilations, pad, dimRoundingMode, info, label };
}

/** Geometries worth keeping whatever the random draw: windows wholly in the padding, pointwise, 'ceil' overhang. */
function fixedCases(depthwise: boolean): ConvCase[] {
  const m = depthwise ? 2 : 3;
  return [
    describeCase([2, 6, 1, 1], [3, 1, 1, m], [1, 3], [1, 1], [[0, 0], [3, 3], [2, 0], [0, 0]], undefined, depthwise),
    describeCase([1, 2, 2, 2], [1, 1, 2, m], [1, 1], [1, 1], [[0, 0], [0, 0], [3, 0], [0, 0]], undefined, depthwise),
    describeCase([2, 5, 6, 3], [1, 1, 3, m], [1, 1], [1, 1], 'valid', undefined, depthwise),
    describeCase([1, 7, 7, 2], [3, 3, 2, m], [2, 2], [1, 1], 1, 'ceil', depthwise),
    describeCase([1, 9, 8, 2], [2, 3, 2, m], [2, 3], [3, 2], 'same', undefined, depthwise),
  ];
}

/** A random valid conv (or depthwise conv) geometry; strides and dilations both above 1 only where `mixed`. */
function convCase(r: () => number, depthwise: boolean, mixed: boolean): ConvCase {
  for (;;) {
    const x: Shape4 = [int(r, 1, 3), int(r, 1, 9), int(r, 1, 9), int(r, 1, 4)];
    const filter: Shape4 = [int(r, 1, 4), int(r, 1, 4), x[3], int(r, 1, depthwise ? 3 : 4)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    let dilations: [number, number] = r() < 0.35 ? [int(r, 1, 3), int(r, 1, 3)] : [1, 1];
    if (!mixed && (strides[0] > 1 || strides[1] > 1)) dilations = [1, 1];
    const kind = pick(r, ['same', 'valid', 'number', 'explicit'] as const);
    const pad: Pad = kind === 'number' ? int(r, 0, 2)
      : kind === 'explicit' ? [[0, 0], [int(r, 0, 3), int(r, 0, 3)], [int(r, 0, 3), int(r, 0, 3)], [0, 0]]
        : kind;
    const dimRoundingMode = kind === 'number' ? pick(r, [undefined, 'floor', 'round', 'ceil'] as const) : undefined;
    let c: ConvCase;
    try {
      c = describeCase(x, filter, strides, dilations, pad, dimRoundingMode, depthwise);
    } catch {
      continue;
    }
    if (c.info.outHeight > 0 && c.info.outWidth > 0) return c;
  }
}

/** The fixed geometries, then `count` random ones of which the last `mixed` may have strides and dilations both above 1. */
function convCases(r: () => number, depthwise: boolean, count: number, mixed: number): ConvCase[] {
  const random = Array.from({ length: count }, (_, k) => convCase(r, depthwise, k >= count - mixed));
  return [...fixedCases(depthwise), ...random];
}

/** Calls `visit(row, col, n, a, b, i, j)` for every (output pixel, filter tap) whose input pixel is inside x. */
function forEachTap(info: tf.backend_util.Conv2DInfo, visit: (xr: number, xc: number, n: number, a: number, b: number, i: number, j: number) => void): void {
  for (let n = 0; n < info.batchSize; n++) {
    for (let a = 0; a < info.outHeight; a++) {
      for (let b = 0; b < info.outWidth; b++) {
        for (let i = 0; i < info.filterHeight; i++) {
          const xr = a * info.strideHeight + i * info.dilationHeight - info.padInfo.top;
          if (xr < 0 || xr >= info.inHeight) continue;
          for (let j = 0; j < info.filterWidth; j++) {
            const xc = b * info.strideWidth + j * info.dilationWidth - info.padInfo.left;
            if (xc >= 0 && xc < info.inWidth) visit(xr, xc, n, a, b, i, j);
          }
        }
      }
    }
  }
}

/** Reference dW of a conv (NHWC), straight from the definition. */
function referenceConvFilterGrad(info: tf.backend_util.Conv2DInfo, x: Float32Array, dy: Float32Array): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO, filterWidth: FW } = info;
  const dW = new Float64Array(info.filterHeight * FW * C * CO);
  forEachTap(info, (xr, xc, n, a, b, i, j) => {
    for (let c = 0; c < C; c++) {
      const xv = x[((n * H + xr) * W + xc) * C + c];
      for (let co = 0; co < CO; co++) dW[((i * FW + j) * C + c) * CO + co] += xv * dy[((n * OH + a) * OW + b) * CO + co];
    }
  });
  return dW;
}

/** Reference dx of a conv (NHWC), straight from the definition. */
function referenceConvInputGrad(info: tf.backend_util.Conv2DInfo, f: Float32Array, dy: Float32Array): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO, filterWidth: FW } = info;
  const dx = new Float64Array(info.batchSize * H * W * C);
  forEachTap(info, (xr, xc, n, a, b, i, j) => {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let co = 0; co < CO; co++) sum += f[((i * FW + j) * C + c) * CO + co] * dy[((n * OH + a) * OW + b) * CO + co];
      dx[((n * H + xr) * W + xc) * C + c] += sum;
    }
  });
  return dx;
}

/** Reference dW and dx of a depthwise conv, straight from the definition. */
function referenceDepthwiseGrads(info: tf.backend_util.Conv2DInfo, x: Float32Array, f: Float32Array, dy: Float32Array): { dW: Float64Array; dx: Float64Array } {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO, filterWidth: FW } = info;
  const M = CO / C;
  const dW = new Float64Array(info.filterHeight * FW * C * M);
  const dx = new Float64Array(info.batchSize * H * W * C);
  forEachTap(info, (xr, xc, n, a, b, i, j) => {
    for (let c = 0; c < C; c++) {
      const xi = ((n * H + xr) * W + xc) * C + c;
      for (let m = 0; m < M; m++) {
        const g = dy[((n * OH + a) * OW + b) * CO + c * M + m];
        const fi = ((i * FW + j) * C + c) * M + m;
        dW[fi] += x[xi] * g;
        dx[xi] += f[fi] * g;
      }
    }
  });
  return { dW, dx };
}

// ---- tests ------------------------------------------------------------------------------

describe('backend/wasmKernels', function () {
  this.timeout(60000);

  before(() => initBackend('wasm'));
  after(async () => {
    await initBackend('cpu');
    const summary = Object.entries(worst).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ');
    if (summary) console.log(`      max relative error vs cpu/reference: ${summary}`);
  });

  it('registers every kernel for wasm, replacing the built-in MaxPoolGrad, Conv2DBackpropInput, Tile, Reverse, Slice, BatchMatMul and Identity, idempotently', async () => {
    await initBackend('wasm');
    registerWasmKernels();
    registerWasmKernels();
    for (const config of wasmKernelConfigs) {
      const registered = tf.getKernel(config.kernelName, 'wasm');
      assert.ok(registered, `${config.kernelName} is not registered for wasm`);
      assert.strictEqual(registered.kernelFunc, config.kernelFunc, `${config.kernelName} is not ours`);
    }
    assert.deepStrictEqual(wasmKernelConfigs.map((c) => c.kernelName).sort(), [
      'BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput', 'Identity', 'MaxPoolGrad', ACTIVATION_MASK, CLIP_GRAD, 'Reverse', 'Slice', 'Tile', 'UnsortedSegmentSum'].sort());
  });

  it('the activation mask equals dy · step(y) (ReLU) and dy · step(y · (6 − y)) (ReLU6) from cpu ops, bit for bit', async () => {
    const r = rng(32);
    // 0, 6, ±∞, NaN and the values around them, in sizes that leave 0–3 elements past the SIMD lanes.
    const special = [0, 6, -0, 1e-30, -1e-30, 5.999999, 6.000001, Infinity, -Infinity, NaN];
    for (const size of [1, 3, 4, 7, 16, 37, 1000, 1027]) {
      const y = Float32Array.from({ length: size }, (_, i) => (r() < 0.3 ? special[i % special.length] : (r() - 0.2) * 10));
      const dy = Float32Array.from({ length: size }, (_, i) => (i % 29 === 5 ? Infinity : i % 31 === 7 ? NaN : r() * 2 - 1));
      for (const activation of ['relu', 'relu6'] as const) {
        const onWasm = await onBackend('wasm', () => runKernel(ACTIVATION_MASK, { dy: host([size], dy), y: host([size], y) }, { activation }));
        const expected = await onBackend('cpu', () => tf.tidy(() => {
          const [g, v] = [tf.tensor1d(dy), tf.tensor1d(y)];
          return Array.from((activation === 'relu' ? tf.mul(g, tf.step(v)) : tf.mul(g, tf.step(tf.mul(v, tf.sub(6, v))))).dataSync());
        }));
        assert.deepStrictEqual(Array.from(onWasm.values), expected, `${activation}, ${size} elements`);
      }
    }
  });

  it('Conv2DBackpropFilter matches cpu (NHWC and NCHW) and the definition (dilations)', async () => {
    const r = rng(1);
    for (const c of convCases(r, false, 80, 20)) {
      const x = uniforms(r, tf.util.sizeFromShape(c.x));
      const dy = uniforms(r, tf.util.sizeFromShape(c.info.outShape));
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: c.filter };
      const inputs = { x: host(c.x, x), dy: host(c.info.outShape, dy) };
      const onWasm = await onBackend('wasm', () =>
        runKernel(tf.Conv2DBackpropFilter, inputs, { ...attrs, dilations: c.dilations }));
      assert.deepStrictEqual(onWasm.shape, c.filter, c.label);
      assertClose(c.label, tf.Conv2DBackpropFilter, onWasm.values, referenceConvFilterGrad(c.info, x, dy));
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const onCpu = await onBackend('cpu', () => runKernel(tf.Conv2DBackpropFilter, inputs, attrs));
        assertClose(c.label, tf.Conv2DBackpropFilter, onWasm.values, onCpu.values);
      }
    }
    // NCHW: the same numbers with x and dy laid out channels-first (padding forms valid for both layouts).
    const layoutFree = (c: ConvCase) => typeof c.pad !== 'object';
    for (const c of [...fixedCases(false).filter(layoutFree), ...convCases(r, false, 12, 0).filter(layoutFree)]) {
      const [n, h, w, ch] = c.x;
      const [, oh, ow, co] = c.info.outShape;
      const x = uniforms(r, n * h * w * ch);
      const dy = uniforms(r, n * oh * ow * co);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', dimRoundingMode: c.dimRoundingMode, filterShape: c.filter };
      const inputs = { x: host([n, ch, h, w], x), dy: host([n, co, oh, ow], dy) };
      const onWasm = await onBackend('wasm', () => runKernel(tf.Conv2DBackpropFilter, inputs, attrs));
      const onCpu = await onBackend('cpu', () => runKernel(tf.Conv2DBackpropFilter, inputs, attrs));
      assertClose(`NCHW ${c.label}`, tf.Conv2DBackpropFilter, onWasm.values, onCpu.values);
    }
  });

  it('Conv2DBackpropInput matches cpu (NHWC and NCHW) and the definition (dilations)', async () => {
    const r = rng(6);
    for (const c of convCases(r, false, 80, 20)) {
      const f = uniforms(r, tf.util.sizeFromShape(c.filter));
      const dy = uniforms(r, tf.util.sizeFromShape(c.info.outShape));
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
      const inputs = { dy: host(c.info.outShape, dy), filter: host(c.filter, f) };
      const onWasm = await onBackend('wasm', () =>
        runKernel(tf.Conv2DBackpropInput, inputs, { ...attrs, dilations: c.dilations }));
      assert.deepStrictEqual(onWasm.shape, c.x, c.label);
      assertClose(c.label, tf.Conv2DBackpropInput, onWasm.values, referenceConvInputGrad(c.info, f, dy));
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const onCpu = await onBackend('cpu', () => runKernel(tf.Conv2DBackpropInput, inputs, attrs));
        assertClose(c.label, tf.Conv2DBackpropInput, onWasm.values, onCpu.values);
      }
    }
    const layoutFree = (c: ConvCase) => typeof c.pad !== 'object';
    for (const c of [...fixedCases(false).filter(layoutFree), ...convCases(r, false, 12, 0).filter(layoutFree)]) {
      const [n, h, w, ch] = c.x;
      const [, oh, ow, co] = c.info.outShape;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', dimRoundingMode: c.dimRoundingMode, inputShape: [n, ch, h, w] };
      const inputs = { dy: host([n, co, oh, ow], uniforms(r, n * co * oh * ow)), filter: host(c.filter, uniforms(r, tf.util.sizeFromShape(c.filter))) };
      const onWasm = await onBackend('wasm', () => runKernel(tf.Conv2DBackpropInput, inputs, attrs));
      const onCpu = await onBackend('cpu', () => runKernel(tf.Conv2DBackpropInput, inputs, attrs));
      assert.deepStrictEqual(onWasm.shape, [n, ch, h, w]);
      assertClose(`NCHW ${c.label}`, tf.Conv2DBackpropInput, onWasm.values, onCpu.values);
    }
  });

  it('DepthwiseConv2dNativeBackpropInput and ...BackpropFilter match cpu and the definition (dilations, multipliers)', async () => {
    const r = rng(2);
    for (const c of convCases(r, true, 80, 20)) {
      const x = uniforms(r, tf.util.sizeFromShape(c.x));
      const f = uniforms(r, tf.util.sizeFromShape(c.filter));
      const dy = uniforms(r, tf.util.sizeFromShape(c.info.outShape));
      const common = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, dilations: c.dilations };
      const inputGrad = () => runKernel(tf.DepthwiseConv2dNativeBackpropInput,
        { dy: host(c.info.outShape, dy), filter: host(c.filter, f) }, { ...common, inputShape: c.x });
      const filterGrad = () => runKernel(tf.DepthwiseConv2dNativeBackpropFilter,
        { x: host(c.x, x), dy: host(c.info.outShape, dy) }, { ...common, filterShape: c.filter });
      const [dx, dW] = await onBackend('wasm', () => [inputGrad(), filterGrad()]);
      assert.deepStrictEqual(dx.shape, c.x);
      assert.deepStrictEqual(dW.shape, c.filter);
      const reference = referenceDepthwiseGrads(c.info, x, f, dy);
      assertClose(c.label, tf.DepthwiseConv2dNativeBackpropInput, dx.values, reference.dx);
      assertClose(c.label, tf.DepthwiseConv2dNativeBackpropFilter, dW.values, reference.dW);
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const [dxCpu, dWCpu] = await onBackend('cpu', () => [inputGrad(), filterGrad()]);
        assertClose(c.label, tf.DepthwiseConv2dNativeBackpropInput, dx.values, dxCpu.values);
        assertClose(c.label, tf.DepthwiseConv2dNativeBackpropFilter, dW.values, dWCpu.values);
      }
    }
  });

  it('MaxPoolGrad sends an all-negative window\'s gradient to its maximum, as cpu does', async () => {
    const input = host([1, 2, 2, 1], Float32Array.of(-3, -1, -2, -4));
    const run = () => runKernel(tf.MaxPoolGrad,
      { dy: host([1, 1, 1, 1], Float32Array.of(1)), input, output: host([1, 1, 1, 1], Float32Array.of(-1)) },
      { filterSize: 2, strides: 2, pad: 'valid' });
    const onWasm = await onBackend('wasm', run);
    const onCpu = await onBackend('cpu', run);
    assert.deepStrictEqual(Array.from(onCpu.values), [0, 1, 0, 0]);
    assert.deepStrictEqual(Array.from(onWasm.values), [0, 1, 0, 0]);
  });

  it('MaxPoolGrad matches cpu on random pools (the last 20 2x2 stride 2, its fast path), with ties, -Infinity and NaN', async () => {
    const r = rng(3);
    for (let k = 0; k < 80; k++) {
      const halving = k >= 60;
      const shape: Shape4 = [int(r, 1, 3), int(r, 1, 9), int(r, 1, 9), int(r, 1, 5)];
      const filterSize: [number, number] = halving ? [2, 2] : [int(r, 1, 4), int(r, 1, 4)];
      const strides: [number, number] = halving ? [2, 2] : [int(r, 1, 3), int(r, 1, 3)];
      const kind = pick(r, halving ? ['same', 'valid'] as const : ['same', 'valid', 'number'] as const);
      const pad = kind === 'number' ? int(r, 0, 1) : kind;
      const dimRoundingMode = kind === 'number' ? pick(r, ['floor', 'ceil', 'round'] as const) : undefined;
      let info: tf.backend_util.Conv2DInfo;
      try {
        info = tf.backend_util.computePool2DInfo(shape, filterSize, strides, 1, pad, dimRoundingMode);
      } catch {
        continue;
      }
      if (!(info.outHeight > 0 && info.outWidth > 0)) continue;
      // Small integers (many ties), mostly negative, with a few -Infinity and NaN.
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => {
        const u = r();
        return u < 0.03 ? NaN : u < 0.06 ? -Infinity : int(r, -4, 1);
      });
      const dy = uniforms(r, tf.util.sizeFromShape(info.outShape));
      const label = `x[${shape}] f[${filterSize}] s[${strides}] pad ${pad} ${dimRoundingMode ?? ''}`;
      const run = () => runKernel(tf.MaxPoolGrad,
        { dy: host(info.outShape, dy), input: host(shape, values), output: host(info.outShape, new Float32Array(dy.length)) },
        { filterSize, strides, pad, dimRoundingMode });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assertClose(label, tf.MaxPoolGrad, onWasm.values, onCpu.values);
    }
  });

  it('MaxPoolGrad\'s SIMD path (2x2 stride 2, channels a multiple of 4) equals cpu exactly: ties, -Infinity, NaN, odd sizes', async () => {
    await initBackend('wasm');
    assert.ok(simdKernels(tf.backend() as BackendWasm), 'the SIMD kernels reach the wasm heap here');
    const r = rng(31);
    for (let k = 0; k < 40; k++) {
      const shape: Shape4 = [int(r, 1, 3), int(r, 2, 9), int(r, 2, 9), pick(r, [4, 8, 16, 32] as const)];
      const info = tf.backend_util.computePool2DInfo(shape, 2, 2, 1, 'valid');
      // Few distinct values (ties), and NaN and -Infinity often enough that whole windows are made of them.
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => {
        const u = r();
        return u < 0.12 ? NaN : u < 0.24 ? -Infinity : int(r, -2, 2);
      });
      const dy = uniforms(r, tf.util.sizeFromShape(info.outShape));
      const run = () => runKernel(tf.MaxPoolGrad,
        { dy: host(info.outShape, dy), input: host(shape, values), output: host(info.outShape, new Float32Array(dy.length)) },
        { filterSize: 2, strides: 2, pad: 'valid' });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assert.deepStrictEqual(Array.from(onWasm.values), Array.from(onCpu.values), `x[${shape}]`);
    }
    // One rule per channel of a single window: a plain maximum, a tie (the first wins), NaN beside a maximum, all −∞.
    const channels = [[1, 3, 2, 0], [5, 5, 1, 5], [NaN, -1, NaN, -2], [-Infinity, -Infinity, -Infinity, -Infinity]];
    const x = Float32Array.from({ length: 16 }, (_, i) => channels[i % 4][Math.floor(i / 4)]); // [1, 2, 2, 4]: cell by cell, channels inner
    const run = () => runKernel(tf.MaxPoolGrad, { dy: host([1, 1, 1, 4], Float32Array.of(10, 20, 30, 40)), input: host([1, 2, 2, 4], x), output: host([1, 1, 1, 4], new Float32Array(4)) }, { filterSize: 2, strides: 2, pad: 'valid' });
    const dx = (await onBackend('wasm', run)).values;
    const cellsOf = (lane: number) => [0, 1, 2, 3].map((cell) => dx[cell * 4 + lane]);
    assert.deepStrictEqual([cellsOf(0), cellsOf(1), cellsOf(2), cellsOf(3)], [[0, 10, 0, 0], [20, 0, 0, 0], [0, 30, 0, 0], [0, 0, 0, 0]]);
  });

  it('UnsortedSegmentSum matches cpu, dropping out-of-range ids', async () => {
    const r = rng(4);
    for (let k = 0; k < 30; k++) {
      const rows = int(r, 1, 40);
      const rest = Array.from({ length: int(r, 0, 2) }, () => int(r, 1, 5));
      const numSegments = int(r, 1, 12);
      const ids = Int32Array.from({ length: rows }, () => int(r, -1, numSegments));
      const x = uniforms(r, rows * tf.util.sizeFromShape(rest));
      const run = () => runKernel(tf.UnsortedSegmentSum,
        { x: host([rows, ...rest], x), segmentIds: host([rows], ids, 'int32') }, { numSegments });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assert.deepStrictEqual(onWasm.shape, onCpu.shape);
      assertClose(`x[${rows},${rest}] into ${numSegments}`, tf.UnsortedSegmentSum, onWasm.values, onCpu.values);
    }
  });

  it('UnsortedSegmentSum takes segment ids of any rank and int32 values', async () => {
    const onWasm = await onBackend('wasm', () => runKernel(tf.UnsortedSegmentSum, {
      x: host([2, 2, 2], Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'int32'),
      segmentIds: host([2, 2], Int32Array.of(1, 0, 1, 3), 'int32'),
    }, { numSegments: 2 }));
    assert.strictEqual(onWasm.dtype, 'int32');
    assert.deepStrictEqual(onWasm.shape, [2, 2]);
    assert.deepStrictEqual(Array.from(onWasm.values), [3, 4, 6, 8]);
  });

  /** Random floats or small integers. */
  const valuesOf = (r: () => number, dtype: Host['dtype'], size: number): Host['values'] =>
    dtype === 'float32' ? uniforms(r, size) : Int32Array.from({ length: size }, () => int(r, -50, 50));
  /** Rank 0–5, sides 1–4, now and then an empty axis. */
  const randomShape = (r: () => number) => Array.from({ length: int(r, 0, 5) }, () => (r() < 0.05 ? 0 : int(r, 1, 4)));

  it('Tile matches cpu on random shapes, repeats and dtypes (including the batch-norm gradient\'s [1,1,1,c] tiles)', async () => {
    const r = rng(7);
    const cases: Array<{ shape: number[]; reps: number[] }> = [{ shape: [1, 1, 1, 16], reps: [5, 8, 8, 1] }, { shape: [], reps: [] }];
    for (let k = 0; k < 60; k++) {
      const shape = randomShape(r);
      cases.push({ shape, reps: shape.map(() => (r() < 0.05 ? 0 : int(r, 1, 4))) });
    }
    for (const { shape, reps } of cases) {
      const dtype = pick(r, ['float32', 'int32'] as const);
      const x = host(shape, valuesOf(r, dtype, tf.util.sizeFromShape(shape)), dtype);
      const run = () => runKernel(tf.Tile, { x }, { reps });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assert.deepStrictEqual(onWasm.shape, onCpu.shape);
      assert.deepStrictEqual(Array.from(onWasm.values), Array.from(onCpu.values), `tile x[${shape}] reps [${reps}]`);
    }
  });

  it("Tile's gradient (one reshape and sum) equals the definition, Σ of dy over the repetitions, on wasm and cpu", async () => {
    const r = rng(17);
    const cases: Array<{ shape: number[]; reps: number[] }> = [{ shape: [1, 1, 64], reps: [32, 60, 1] }];
    for (let k = 0; k < 40; k++) {
      const shape = randomShape(r).map((d) => Math.max(1, d));
      cases.push({ shape, reps: shape.map(() => int(r, 1, 3)) });
    }
    for (const { shape, reps } of cases) {
      const out = shape.map((d, i) => d * reps[i]);
      const dy = uniforms(r, tf.util.sizeFromShape(out));
      // The definition: output index o reads input index o mod shape, axis by axis.
      const expected = new Float64Array(tf.util.sizeFromShape(shape));
      const outStrides = [...tf.util.computeStrides(out), 1];
      const inStrides = [...tf.util.computeStrides(shape), 1];
      for (let o = 0; o < dy.length; o++) {
        let at = 0;
        for (let a = 0; a < shape.length; a++) at += (Math.floor(o / outStrides[a]) % out[a] % shape[a]) * inStrides[a];
        expected[at] += dy[o];
      }
      for (const backend of ['wasm', 'cpu'] as const) {
        const got = await onBackend(backend, () =>
          tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, reps), tf.tensor(dy, out))))(tf.zeros(shape)).dataSync()),
        );
        assert.ok(relError(got, expected) < TOLERANCE, `${backend}: tile gradient x[${shape}] reps [${reps}]`);
      }
    }
  });

  it('Reverse matches cpu on random shapes, axes (some negative) and dtypes', async () => {
    const r = rng(8);
    for (let k = 0; k < 60; k++) {
      const shape = randomShape(r);
      const axes = shape.map((_, a) => a).filter(() => r() < 0.5).map((a) => (r() < 0.3 ? a - shape.length : a));
      const dtype = pick(r, ['float32', 'int32'] as const);
      const x = host(shape, valuesOf(r, dtype, tf.util.sizeFromShape(shape)), dtype);
      const run = () => runKernel(tf.Reverse, { x }, { dims: axes });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assert.deepStrictEqual(Array.from(onWasm.values), Array.from(onCpu.values), `reverse x[${shape}] axes [${axes}]`);
    }
  });

  it('Slice matches cpu on random shapes, begins and sizes (some -1) and dtypes, ZeroPadding2D\'s gradient included', async () => {
    const r = rng(11);
    const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
      { shape: [1, 9, 9, 3], begin: [0, 0, 0, 0], size: [1, 8, 8, 3] }];
    for (let k = 0; k < 80; k++) {
      // Rank 0 is left out: cpu's slice of a scalar is empty, and ours hands it to wasm's own.
      const shape = [int(r, 1, 4), ...randomShape(r)];
      const begin = shape.map((d) => int(r, 0, Math.max(0, d - 1)));
      const size = shape.map((d, a) => (r() < 0.15 ? -1 : int(r, 0, d - begin[a])));
      cases.push({ shape, begin, size });
    }
    for (const { shape, begin, size } of cases) {
      const dtype = pick(r, ['float32', 'int32'] as const);
      const x = host(shape, valuesOf(r, dtype, tf.util.sizeFromShape(shape)), dtype);
      const run = () => runKernel(tf.Slice, { x }, { begin, size });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      const label = `slice x[${shape}] begin [${begin}] size [${size}]`;
      assert.deepStrictEqual(onWasm.shape, onCpu.shape, label);
      assert.deepStrictEqual(Array.from(onWasm.values), Array.from(onCpu.values), label);
    }
  });

  it('BatchMatMul matches cpu for every transposeA/transposeB and broadcast batch', async () => {
    const r = rng(9);
    for (let k = 0; k < 40; k++) {
      const [m, inner, n] = [int(r, 1, 6), int(r, 1, 6), int(r, 1, 6)];
      const batch = pick(r, [[], [int(r, 1, 3)], [2, 1]]);
      const batchB = batch.length && r() < 0.3 ? batch.map(() => 1) : batch;
      const [transposeA, transposeB] = [r() < 0.5, r() < 0.5];
      const aShape = [...batch, ...(transposeA ? [inner, m] : [m, inner])];
      const bShape = [...batchB, ...(transposeB ? [n, inner] : [inner, n])];
      const inputs = { a: host(aShape, uniforms(r, tf.util.sizeFromShape(aShape))), b: host(bShape, uniforms(r, tf.util.sizeFromShape(bShape))) };
      const run = () => runKernel(tf.BatchMatMul, inputs, { transposeA, transposeB });
      const onWasm = await onBackend('wasm', run);
      const onCpu = await onBackend('cpu', run);
      assert.deepStrictEqual(onWasm.shape, onCpu.shape);
      assertClose(`a[${aShape}] b[${bShape}] tA ${transposeA} tB ${transposeB}`, tf.BatchMatMul, onWasm.values, onCpu.values);
    }
  });

  it('clipByValue\'s and relu6\'s gradients on wasm equal the definition: boundaries, NaN and infinite dy included', async () => {
    const r = rng(10);
    const n = 400;
    // Values on and around the boundaries, NaN, and ±Infinity; dy sometimes infinite (relu6's mask multiplies).
    const xs = Float32Array.from({ length: n }, () => pick(r, [NaN, -Infinity, Infinity, -1, 0, 0.5, 6, 6.5, -0.25, 1.75, r() * 10 - 2]));
    const dys = Float32Array.from({ length: n }, () => (r() < 0.05 ? pick(r, [Infinity, -Infinity, NaN]) : r() * 2 - 1));
    const [lo, hi] = [-0.25, 1.75];
    const clipExpected = Array.from(xs, (x, i) => (x >= lo && x <= hi ? dys[i] : 0));
    const relu6Expected = Array.from(xs, (x, i) => dys[i] * (Number.isNaN(x) ? NaN : x > 0 && x <= 6 ? 1 : 0));
    const gradsOn = (backend: 'wasm' | 'cpu') => onBackend(backend, () => tf.tidy(() => {
      const x = tf.tensor(xs, [4, 10, 10]);
      const dy = tf.tensor(dys, [4, 10, 10]);
      const clip = tf.grad((t) => tf.clipByValue(t, lo, hi))(x, dy).dataSync();
      const relu6 = tf.grad((t) => tf.relu6(t))(x, dy).dataSync();
      return [Array.from(clip), Array.from(relu6)];
    }));
    const before = tf.memory().numTensors;
    const [clipWasm, relu6Wasm] = await gradsOn('wasm');
    assert.strictEqual(tf.memory().numTensors, before);
    const [clipCpu, relu6Cpu] = await gradsOn('cpu');
    assert.deepStrictEqual(clipWasm, clipExpected);
    assert.deepStrictEqual(relu6Wasm, relu6Expected);
    assert.deepStrictEqual(clipCpu, clipExpected, 'cpu keeps tfjs\'s own clipByValue gradient');
    assert.deepStrictEqual(relu6Cpu, relu6Expected, 'cpu keeps tfjs\'s own relu6 gradient');
  });

  it('relu6\'s second derivative through our gradient kernel: the mask again in dy, zero in x', async () => {
    const xs = Float32Array.of(-1, 0.5, 3, 6, 7);
    // d/dx Σ w ⊙ relu6'(x) ⊙ (x ⊙ c) = w ⊙ mask ⊙ c: the mask's own derivative is zero almost everywhere.
    const w = Float32Array.of(1, 2, 3, 4, 5);
    const onWasm = await onBackend('wasm', () => tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const inner = (t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.relu6(u))(t, tf.mul(t, tf.tensor1d(w)));
      return Array.from(tf.grad((t: tf.Tensor) => tf.sum(inner(t)))(x).dataSync());
    }));
    assert.deepStrictEqual(onWasm, [0, 2, 3, 4, 0]);
  });

  it('Tile, Reverse and Slice keep bool tensors bool (and Slice slices strings)', async () => {
    await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const b = tf.tensor2d([[true, false, false]], [1, 3], 'bool');
        const tiled = tf.tile(b, [2, 2]);
        assert.strictEqual(tiled.dtype, 'bool');
        assert.deepStrictEqual(Array.from(tiled.dataSync()), [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
        const reversed = tf.reverse(b, 1);
        assert.strictEqual(reversed.dtype, 'bool');
        assert.deepStrictEqual(Array.from(reversed.dataSync()), [0, 0, 1]);
        const sliced = tf.slice(tf.tensor2d([[true, false, true], [false, true, true]], [2, 3], 'bool'), [0, 1], [2, 1]);
        assert.strictEqual(sliced.dtype, 'bool');
        assert.deepStrictEqual(Array.from(sliced.dataSync()), [0, 1]);
        const words = tf.slice(tf.tensor2d([['a', 'b', 'c'], ['d', 'e', 'f']]), [0, 1], [2, 2]);
        assert.deepStrictEqual(words.dataSync(), ['b', 'c', 'e', 'f']);
      });
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });

  it('Identity shares its input\'s data (no copy) and frees it only with the last reference; strings still clone', async () => {
    await onBackend('wasm', () => {
      const before = tf.memory();
      const ids = tf.backend().numDataIds();
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      const y = tf.clone(x);
      assert.strictEqual(tf.backend().numDataIds(), ids + 1, 'the clone allocated its own buffer');
      x.dispose();
      assert.deepStrictEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
      y.dispose();
      assert.strictEqual(tf.backend().numDataIds(), ids);
      const words = tf.tensor1d(['a', 'b']);
      const copy = tf.clone(words);
      words.dispose();
      assert.deepStrictEqual(copy.dataSync(), ['a', 'b']);
      copy.dispose();
      assert.strictEqual(tf.memory().numTensors, before.numTensors);
      assert.strictEqual(tf.backend().numDataIds(), ids);
    });
  });

  describe('end-to-end gradients, wasm vs cpu', () => {
    /** Gradients of `loss` w.r.t. each of `params` on both backends; also checks wasm leaks nothing. */
    async function compareGrads(label: string, params: Host[], loss: (...ts: tf.Tensor[]) => tf.Scalar): Promise<void> {
      const grads = async (backend: 'wasm' | 'cpu') => onBackend(backend, () => {
        const ts = params.map((p) => tf.tensor(p.values, p.shape, p.dtype));
        const before = tf.memory();
        const idsBefore = tf.backend().numDataIds();
        const gs = tf.grads(loss)(ts);
        const values = gs.map((g) => Float32Array.from(g.dataSync()));
        tf.dispose(gs);
        assert.strictEqual(tf.memory().numTensors, before.numTensors, `${label} on ${backend} leaked tensors`);
        assert.strictEqual(tf.backend().numDataIds(), idsBefore, `${label} on ${backend} leaked backend buffers`);
        tf.dispose(ts);
        return values;
      });
      const onWasm = await grads('wasm');
      const onCpu = await grads('cpu');
      onWasm.forEach((g, i) => assertClose(`${label}, gradient ${i}`, `grad(${label})`, g, onCpu[i]));
    }
    const r = rng(5);
    const rand = (...shape: number[]) => host(shape, uniforms(r, tf.util.sizeFromShape(shape)));

    it('conv → relu → maxpool, and a fused conv (input-only saliency runs Conv2DBackpropFilter)', async () => {
      await compareGrads('conv', [rand(2, 9, 9, 3), rand(3, 3, 3, 4), rand(2, 2, 4, 5)], (x, w, w2) => {
        const h = tf.maxPool(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')), 2, 1, 'same');
        return tf.sum(tf.square(tf.conv2d(h, w2 as tf.Tensor4D, 1, 'valid')));
      });
      const w = rand(3, 3, 3, 6);
      const b = rand(6);
      await compareGrads('fused conv', [rand(1, 8, 8, 3)], (x) => tf.sum(tf.fused.conv2d({
        x: x as tf.Tensor4D, filter: tf.tensor4d(w.values, w.shape as Shape4), strides: 1, pad: 'same',
        bias: tf.tensor(b.values, b.shape), activation: 'relu',
      })));
    });

    it('depthwise (multiplier 2, stride 2) and separable convs', async () => {
      await compareGrads('depthwise', [rand(2, 9, 8, 3), rand(3, 3, 3, 2)], (x, f) =>
        tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))));
      await compareGrads('separable', [rand(1, 7, 7, 4), rand(3, 3, 4, 1), rand(1, 1, 4, 5)], (x, d, p) =>
        tf.sum(tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'valid')));
    });

    it('maxpool over all-negative windows', async () => {
      const x = host([1, 4, 4, 2], Float32Array.from({ length: 32 }, () => -1 - r() * 5));
      await compareGrads('maxpool', [x], (t) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), tf.range(1, 9).reshape([1, 2, 2, 2]))));
    });

    it('batch norm and relu6 (tile, comparisons), every input\'s gradient', async () => {
      const variance = host([3], Float32Array.of(0.5, 1, 2));
      await compareGrads('batchNorm', [rand(2, 4, 5, 3), rand(3), rand(3), rand(3)], (x, mean, offset, scale) =>
        tf.sum(tf.mul(tf.clipByValue(tf.batchNorm(x, mean, tf.tensor1d(variance.values as Float32Array), offset, scale, 1e-3), 0, 0.5), tf.range(0, 3))));
    });

    it('an embedding lookup (gather → UnsortedSegmentSum)', async () => {
      await compareGrads('embedding', [rand(8, 5), rand(5, 2)], (table, w) =>
        tf.sum(tf.square(tf.matMul(tf.gather(table, tf.tensor1d([3, 1, 3, 0, 7, 1], 'int32')), w))));
    });
  });
});
