/**
 * Replaces wasm's own (plain C loops, the slowest step of a conv net's input gradient): dx as one
 * XNNPACK conv of the zero-inserted, framed dy with the filter flipped and transposed to [fh, fw, cout, cin].
 * A strided conv with few input channels (a network's first conv, on RGB) makes that conv poor: it
 * has few output channels, and zero insertion multiplies its work by the strides' product. There,
 * dx = col2im(dy · Wᵀ): one matMul at the forward pass's cost, then a JS loop adding each patch back.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, RefCountingBackend, requireInputs, runOps, spreadForInputGradient } from './tensorInfo';

/** Input channels up to which strided channels-last convs take the col2im path. */
const COL2IM_MAX_CHANNELS = 4;
/** Largest patch matrix (elements) built for it. */
const MAX_PATCH_ELEMENTS = 1 << 24;

/**
 * dx[n, a·sh + i·dh − top, b·sw + j·dw − left, c] += cols[(n, a, b), (i, j, c)], skipping taps in the
 * padding: the adjoint of im2col, for cols = dy · Wᵀ of shape [pixels, fh·fw·cin].
 */
function col2im(wasm: BackendWasm, cols: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = wasm.makeOutput([n, h, w, cin], 'float32');
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const src = wasm.typedArrayFromHeap(cols) as Float32Array;
  dst.fill(0);
  let from = 0;
  for (let b0 = 0; b0 < n; b0++) {
    for (let a = 0; a < oh; a++) {
      for (let b = 0; b < ow; b++) {
        for (let i = 0; i < fh; i++) {
          const y = a * sh + i * dh - top;
          if (y < 0 || y >= h) {
            from += fw * cin;
            continue;
          }
          for (let j = 0; j < fw; j++, from += cin) {
            const x = b * sw + j * dw - left;
            if (x < 0 || x >= w) continue;
            const at = ((b0 * h + y) * w + x) * cin;
            for (let c = 0; c < cin; c++) dst[at + c] += src[from + c];
          }
        }
      }
    }
  }
  return out;
}

/** The kernel's attributes, plus dilations (tfjs never passes them: its conv gradient requires 1). */
type Attrs = tf.Conv2DBackpropInputAttrs & { dilations?: [number, number] | number };

function conv2DBackpropInput({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { dy, filter } = requireInputs(tf.Conv2DBackpropInput, inputs, 'dy', 'filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape, dilations } = attrs as unknown as Attrs;
  const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode,
    false, channelsLast ? 'channelsLast' : 'channelsFirst');
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  if (channelsLast && strided && info.inChannels <= COL2IM_MAX_CHANNELS && taps * pixels <= MAX_PATCH_ELEMENTS) {
    const cols = runOps(backend as RefCountingBackend, [dy, filter], (dy4, f4) =>
      tf.matMul(tf.reshape(dy4, [pixels, info.outChannels]), tf.reshape(f4, [taps, info.outChannels]), false, true));
    // The tensor takes over the product's one reference, so disposing it frees it.
    const owner = tf.engine().makeTensorFromTensorInfo(cols);
    try {
      return col2im(backend as BackendWasm, cols, info);
    } finally {
      owner.dispose();
    }
  }

  return runOps(backend as RefCountingBackend, [dy, filter], (dy4, f4) => {
    const dyNHWC = (channelsLast ? dy4 : tf.transpose(dy4, [0, 2, 3, 1])) as tf.Tensor4D;
    const framed = spreadForInputGradient(dyNHWC, info);
    if (!framed) return tf.zeros(inputShape); // no window reaches dy
    const flipped = tf.transpose(tf.reverse(f4, [0, 1]), [0, 1, 3, 2]);
    const dx = tf.engine().runKernel(tf.Conv2D, { x: framed.input, filter: flipped }, {
      strides: 1, dilations: [info.dilationHeight, info.dilationWidth], pad: framed.pad, dataFormat: 'NHWC',
    }) as tf.Tensor; // [n, h, w, cin]
    return channelsLast ? dx : tf.transpose(dx, [0, 3, 1, 2]);
  });
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
