/**
 * Times our wasm gradient kernels against the cpu backend and against the wasm fallbacks
 * (the cpu kernel run on data copied out of and back into the wasm heap, as happens when a
 * kernel is missing; for MaxPoolGrad, the built-in wasm kernel).
 * Run: npx tsc -p . && node out/bench/wasmKernels.js
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/engine/backend/select';

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
  ...depthwiseCases([8, 32, 32, 16], [3, 3, 16, 1], 1, 'same'),
  ...depthwiseCases([1, 112, 112, 32], [3, 3, 32, 1], 1, 'same'),
  ...depthwiseCases([1, 112, 112, 64], [3, 3, 64, 1], 2, 'same'),
  ...depthwiseCases([4, 32, 32, 8], [5, 5, 8, 4], 2, 'valid'),
  poolCase([8, 32, 32, 16], 2, 2, 'valid'),
  poolCase([1, 112, 112, 64], 3, 2, 'same'),
  segmentCase(512, 64, 100),
  segmentCase(4096, 128, 30000),
];

/** Median milliseconds of `f`, after warm-up, over about `budgetMs`. */
function time(f: () => void, budgetMs = 400): number {
  f();
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

async function main(): Promise<void> {
  await initBackend('wasm');
  console.log('kernel | case | ours (wasm) ms | cpu backend ms | wasm fallback ms | vs cpu | vs fallback');
  for (const c of CASES) {
    await tf.setBackend('wasm');
    const wasmInputs = c.inputs();
    const ours = time(() => runOnce(c, wasmInputs));
    const mine = tf.getKernel(c.kernel, 'wasm')!;
    tf.unregisterKernel(c.kernel, 'wasm');
    tf.registerKernel(c.kernel === tf.MaxPoolGrad ? builtinMaxPoolGrad! : cpuFallback(c.kernel));
    const fallback = time(() => runOnce(c, wasmInputs));
    tf.unregisterKernel(c.kernel, 'wasm');
    tf.registerKernel(mine);
    tf.dispose(Object.values(wasmInputs));
    await tf.setBackend('cpu');
    const cpuInputs = c.inputs();
    const cpu = time(() => runOnce(c, cpuInputs));
    tf.dispose(Object.values(cpuInputs));
    const fmt = (v: number) => v.toFixed(v < 10 ? 2 : 1);
    console.log([c.kernel, c.name, fmt(ours), fmt(cpu), fmt(fallback), `${(cpu / ours).toFixed(1)}x`, `${(fallback / ours).toFixed(1)}x`].join(' | '));
  }
}

// The built-in wasm MaxPoolGrad, captured before our replacement is registered.
let builtinMaxPoolGrad: tf.KernelConfig | undefined;
async function captureBuiltin(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  builtinMaxPoolGrad = tf.getKernel(tf.MaxPoolGrad, 'wasm');
}

/** Built-in kernels bind their wasm function in setupFunc, which runs only for kernels registered when the backend starts. */
function setUpBuiltin(): void {
  builtinMaxPoolGrad?.setupFunc?.(tf.backend());
}

captureBuiltin().then(async () => {
  await initBackend('wasm');
  setUpBuiltin();
}).then(main).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
