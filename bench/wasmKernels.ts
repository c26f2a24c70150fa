/**
 * Times our wasm gradient kernels, and gradients of small models, against the cpu backend and
 * against the wasm fallbacks: the cpu kernel run on data copied out of and back into the wasm
 * heap where wasm has no kernel; the built-in wasm kernel where we replace one.
 * Run: npx tsc -p . && node out/bench/wasmKernels.js
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/engine/backend/select';
import { wasmKernelConfigs } from '../src/engine/backend/wasmKernels/registerAll';

interface Case {
  name: string;
  kernel: string;
  inputs: () => Record<string, tf.Tensor>;
  attrs: tf.NamedAttrMap;
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const ints = (n: number, max: number, seed: number) => tf.randomUniform([n], 0, max, 'int32', seed);

function convCase(x: number[], f: number[], strides: number, pad: 'same' | 'valid'): Case {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], strides, 1, pad);
  return {
    name: `x[${x}] f[${f}] s${strides} ${pad}`,
    kernel: tf.Conv2DBackpropFilter,
    inputs: () => ({ x: rand(x, 1), dy: rand(info.outShape, 2) }),
    attrs: { strides, pad, dataFormat: 'NHWC', filterShape: f },
  };
}

function convInputCase(x: number[], f: number[], strides: number, pad: 'same' | 'valid'): Case {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], strides, 1, pad);
  return {
    name: `x[${x}] f[${f}] s${strides} ${pad}`,
    kernel: tf.Conv2DBackpropInput,
    inputs: () => ({ dy: rand(info.outShape, 2), filter: rand(f, 1) }),
    attrs: { strides, pad, dataFormat: 'NHWC', inputShape: x },
  };
}

function depthwiseCases(x: number[], f: number[], strides: number, pad: 'same' | 'valid'): Case[] {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], strides, 1, pad, undefined, true);
  const attrs = { strides, pad, dilations: 1 };
  return [
    { name: `x[${x}] f[${f}] s${strides} ${pad}`, kernel: tf.DepthwiseConv2dNativeBackpropInput,
      inputs: () => ({ dy: rand(info.outShape, 3), filter: rand(f, 4) }), attrs: { ...attrs, inputShape: x } },
    { name: `x[${x}] f[${f}] s${strides} ${pad}`, kernel: tf.DepthwiseConv2dNativeBackpropFilter,
      inputs: () => ({ x: rand(x, 5), dy: rand(info.outShape, 6) }), attrs: { ...attrs, filterShape: f } },
  ];
}

function poolCase(x: number[], filterSize: number, strides: number, pad: 'same' | 'valid'): Case {
  return {
    name: `x[${x}] ${filterSize}x${filterSize} s${strides} ${pad}`,
    kernel: tf.MaxPoolGrad,
    inputs: () => {
      const input = rand(x, 7);
      const output = tf.maxPool(input as tf.Tensor4D, filterSize, strides, pad);
      return { dy: rand(output.shape, 8), input, output };
    },
    attrs: { filterSize, strides, pad },
  };
}

function segmentCase(rows: number, width: number, segments: number): Case {
  return {
    name: `x[${rows},${width}] into ${segments}`,
    kernel: tf.UnsortedSegmentSum,
    inputs: () => ({ x: rand([rows, width], 9), segmentIds: ints(rows, segments, 10) }),
    attrs: { numSegments: segments },
  };
}

const CASES: Case[] = [
  convCase([8, 32, 32, 3], [3, 3, 3, 16], 1, 'same'),
  convCase([8, 16, 16, 16], [3, 3, 16, 32], 1, 'same'),
  convCase([1, 224, 224, 3], [3, 3, 3, 32], 2, 'same'),
  convCase([1, 112, 112, 32], [1, 1, 32, 64], 1, 'valid'),
  convInputCase([16, 32, 32, 3], [3, 3, 3, 16], 1, 'same'),
  convInputCase([8, 16, 16, 16], [3, 3, 16, 32], 1, 'same'),
  convInputCase([1, 224, 224, 3], [3, 3, 3, 32], 2, 'same'),
  convInputCase([1, 112, 112, 32], [1, 1, 32, 64], 1, 'valid'),
  ...depthwiseCases([8, 32, 32, 16], [3, 3, 16, 1], 1, 'same'),
  ...depthwiseCases([1, 112, 112, 32], [3, 3, 32, 1], 1, 'same'),
  ...depthwiseCases([1, 112, 112, 64], [3, 3, 64, 1], 2, 'same'),
  ...depthwiseCases([4, 32, 32, 8], [5, 5, 8, 4], 2, 'valid'),
  poolCase([8, 32, 32, 16], 2, 2, 'valid'),
  poolCase([1, 112, 112, 64], 3, 2, 'same'),
  segmentCase(512, 64, 100),
  segmentCase(1024, 64, 200),
];

/** Median milliseconds of `f`, after warm-up, over about `budgetMs`. */
function time(f: () => void, budgetMs = 400): number {
  const t = performance.now();
  f();
  const first = performance.now() - t;
  if (first > budgetMs) return first; // the slow cpu cases: one run is enough
  f();
  const samples: number[] = [];
  const stop = performance.now() + budgetMs;
  while (samples.length < 5 || (performance.now() < stop && samples.length < 200)) {
    const t0 = performance.now();
    f();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function runOnce(c: Case, inputs: Record<string, tf.Tensor>): void {
  const out = tf.engine().runKernel(c.kernel, inputs as tf.NamedTensorMap, c.attrs) as tf.Tensor;
  out.dataSync();
  out.dispose();
}

/** The cpu kernel applied to copies of the wasm inputs, its output copied back: what a missing kernel costs. */
function cpuFallback(kernelName: string): tf.KernelConfig {
  const cpuKernel = tf.getKernel(kernelName, 'cpu')!;
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as tf.KernelBackend & { makeOutput(s: number[], d: tf.DataType, o?: number, v?: tf.backend_util.BackendValues): tf.TensorInfo };
      const cpu = tf.findBackend('cpu')!;
      const moved: tf.NamedTensorInfoMap = {};
      for (const [k, info] of Object.entries(inputs)) {
        if (info) moved[k] = { ...info, dataId: cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype) };
      }
      const out = cpuKernel.kernelFunc({ inputs: moved, backend: cpu, attrs }) as tf.TensorInfo;
      const values = cpu.readSync(out.dataId);
      for (const info of [...Object.values(moved), out]) if (info) cpu.disposeData(info.dataId);
      return wasm.makeOutput(out.shape, out.dtype, undefined, values);
    },
  };
}

/** Swaps each of our kernels for its fallback (or back): the kernels as they are without this module. */
function useFallbacks(on: boolean): void {
  for (const config of wasmKernelConfigs) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    if (!on) tf.registerKernel(config);
    // Our clip gradient has no fallback (tfjs's own gradient is the wrapped config's): it stays.
    else tf.registerKernel(builtins.get(config.kernelName) ?? (tf.getKernel(config.kernelName, 'cpu') ? cpuFallback(config.kernelName) : config));
  }
}

const fmt = (v: number) => v.toFixed(v < 10 ? 2 : 1);

async function kernels(): Promise<void> {
  console.log('kernel | case | ours (wasm) ms | cpu backend ms | wasm fallback ms | vs cpu | vs fallback');
  for (const c of CASES) {
    await tf.setBackend('wasm');
    const wasmInputs = c.inputs();
    const ours = time(() => runOnce(c, wasmInputs));
    useFallbacks(true);
    const fallback = time(() => runOnce(c, wasmInputs));
    useFallbacks(false);
    tf.dispose(Object.values(wasmInputs));
    await tf.setBackend('cpu');
    const cpuInputs = c.inputs();
    const cpu = time(() => runOnce(c, cpuInputs));
    tf.dispose(Object.values(cpuInputs));
    console.log([c.kernel, c.name, fmt(ours), fmt(cpu), fmt(fallback), `${(cpu / ours).toFixed(1)}x`, `${(fallback / ours).toFixed(1)}x`].join(' | '));
  }
}

/** The notes' 32x32 CNN (conv, maxpool, depthwise, separable, maxpool, dense) and an embedding, as plain ops. */
function models(): Array<{ name: string; params: () => tf.Tensor[]; loss: (...t: tf.Tensor[]) => tf.Scalar; wrt: number[] }> {
  const cnn = (x: tf.Tensor, w1: tf.Tensor, dw: tf.Tensor, sd: tf.Tensor, sp: tf.Tensor, wd: tf.Tensor): tf.Scalar => {
    let h = tf.maxPool(tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    h = tf.relu(tf.depthwiseConv2d(h, dw as tf.Tensor4D, 1, 'same'));
    h = tf.maxPool(tf.relu(tf.separableConv2d(h, sd as tf.Tensor4D, sp as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    const logits = tf.matMul(tf.reshape(h, [h.shape[0], -1]), wd as tf.Tensor2D);
    return tf.sum(tf.slice(tf.logSoftmax(logits), [0, 3], [-1, 1]));
  };
  const weights = () => [rand([3, 3, 3, 16], 11), rand([3, 3, 16, 1], 12), rand([3, 3, 16, 1], 13), rand([1, 1, 16, 32], 14), rand([8 * 8 * 32, 10], 15)];
  const embed = (table: tf.Tensor, w: tf.Tensor): tf.Scalar =>
    tf.sum(tf.square(tf.matMul(tf.gather(table, tf.randomUniform([512], 0, 500, 'int32', 16)), w as tf.Tensor2D)));
  return [
    { name: 'CNN 32x32x3, input grad, batch 1', params: () => [rand([1, 32, 32, 3], 10), ...weights()], loss: cnn, wrt: [0] },
    { name: 'CNN 32x32x3, input grad, batch 16', params: () => [rand([16, 32, 32, 3], 10), ...weights()], loss: cnn, wrt: [0] },
    { name: 'CNN 32x32x3, param grad, batch 16', params: () => [rand([16, 32, 32, 3], 10), ...weights()], loss: cnn, wrt: [1, 2, 3, 4, 5] },
    { name: 'embedding 500x64, 512 ids, grad', params: () => [rand([500, 64], 17), rand([64, 8], 18)], loss: embed, wrt: [0] },
  ];
}

async function gradients(): Promise<void> {
  console.log('\nmodel gradient | ours (wasm) ms | cpu backend ms | wasm fallback ms | vs cpu | vs fallback');
  for (const m of models()) {
    const timeOn = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const params = m.params();
      const f = () => {
        const all = params.slice();
        const g = tf.grads((...wrt: tf.Tensor[]) => {
          m.wrt.forEach((p, i) => { all[p] = wrt[i]; });
          return m.loss(...all);
        });
        const out = g(m.wrt.map((p) => params[p]));
        out.forEach((t) => t.dataSync());
        tf.dispose(out);
      };
      const ms = time(f, 1000);
      tf.dispose(params);
      return ms;
    };
    const ours = await timeOn('wasm');
    useFallbacks(true);
    const fallback = await timeOn('wasm');
    useFallbacks(false);
    const cpu = await timeOn('cpu');
    console.log([m.name, fmt(ours), fmt(cpu), fmt(fallback), `${(cpu / ours).toFixed(1)}x`, `${(fallback / ours).toFixed(1)}x`].join(' | '));
  }
}

// The built-in wasm kernels we replace (MaxPoolGrad, Conv2DBackpropInput), captured before registration.
const builtins = new Map<string, tf.KernelConfig>();

async function main(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  for (const { kernelName } of wasmKernelConfigs) {
    const builtin = tf.getKernel(kernelName, 'wasm');
    if (builtin) builtins.set(kernelName, builtin);
  }
  await initBackend('wasm');
  // Built-in kernels bind their wasm function in setupFunc, run only for kernels registered when the backend starts.
  for (const builtin of builtins.values()) builtin.setupFunc?.(tf.backend());
  await kernels();
  await gradients();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
