/**
 * Missing on wasm, yet every conv gradient (even input-only saliency through a fused conv) needs it.
 * 1x1 stride-1 filters: one matMul, xᵀ · dy. Other channels-last filters: patchesᵀ · dy as one XNNPACK
 * matMul, where patchesᵀ (im2col, one row per filter tap and input channel, one column per output pixel)
 * is written by a JS loop; 1.8x faster than the swapped-role conv on a first conv with 3 input channels.
 * Channels-first, or where those patches would be too large: one XNNPACK conv with roles swapped (x as
 * [cin, h, w, n] * dy as [oh, ow, n, cout], strides and dilations exchanged).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelParams, RefCountingBackend, frame, requireInputs, runOps, trailingPadding } from './tensorInfo';

/** The kernel's attributes, plus dilations (tfjs never passes them: its conv gradient requires 1). */
type Attrs = tf.Conv2DBackpropFilterAttrs & { dilations?: [number, number] | number };

/** Largest im2col matrix (elements) built; beyond it the swapped-role conv needs no extra memory. */
const MAX_PATCH_ELEMENTS = 1 << 24;

/**
 * patchesᵀ[(i, j, c), (n, a, b)] = x[n, a·sh + i·dh − top, b·sw + j·dw − left, c], zero in the padding:
 * row order matches the filter's [fh, fw, cin] so that patchesᵀ · dy[pixels, cout] is dW.
 */
function transposedPatches(wasm: BackendWasm, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const pixels = n * oh * ow;
  const out = wasm.makeOutput([info.filterHeight * info.filterWidth * cin, pixels], 'float32');
  // Views taken after the allocation above, which may grow (and so detach) the heap.
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const src = wasm.typedArrayFromHeap(x) as Float32Array;
  dst.fill(0);
  let row = 0;
  for (let i = 0; i < info.filterHeight; i++) {
    // Output rows whose tap i lands inside x: 0 <= a·sh + i·dh − top < h.
    const aMin = Math.max(0, Math.ceil((top - i * dh) / sh));
    const aMax = Math.min(oh, Math.ceil((h + top - i * dh) / sh));
    for (let j = 0; j < info.filterWidth; j++) {
      const bMin = Math.max(0, Math.ceil((left - j * dw) / sw));
      const bMax = Math.min(ow, Math.ceil((w + left - j * dw) / sw));
      for (let c = 0; c < cin; c++, row++) {
        for (let b0 = 0; b0 < n; b0++) {
          for (let a = aMin; a < aMax; a++) {
            let at = row * pixels + (b0 * oh + a) * ow + bMin;
            let from = ((b0 * h + a * sh + i * dh - top) * w + bMin * sw + j * dw - left) * cin + c;
            const step = sw * cin;
            for (let b = bMin; b < bMax; b++, at++, from += step) dst[at] = src[from];
          }
        }
      }
    }
  }
  return out;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { x, dy } = requireInputs(tf.Conv2DBackpropFilter, inputs, 'x', 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs as unknown as Attrs;
  const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode,
    false, channelsLast ? 'channelsLast' : 'channelsFirst');
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const [bottom, right] = trailingPadding(info);

  const pointwise = info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 &&
    info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && bottom === 0 && right === 0;
  if (pointwise) {
    // wasm's Transpose of x beats the JS im2col here (which would be that same transpose).
    return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
      const xT = tf.reshape(tf.transpose(x4, channelsLast ? [3, 0, 1, 2] : [1, 0, 2, 3]), [info.inChannels, pixels]);
      const dyM = tf.reshape(channelsLast ? dy4 : tf.transpose(dy4, [0, 2, 3, 1]), [pixels, info.outChannels]);
      return tf.reshape(tf.matMul(xT, dyM), info.filterShape);
    });
  }

  if (channelsLast && taps * pixels <= MAX_PATCH_ELEMENTS) {
    // The tensor takes over the patches' one reference, so disposing it frees them.
    const patches = tf.engine().makeTensorFromTensorInfo(transposedPatches(backend as BackendWasm, x, info));
    try {
      return runOps(backend as RefCountingBackend, [dy], (dy4) =>
        tf.reshape(tf.matMul(patches, tf.reshape(dy4, [pixels, info.outChannels])), info.filterShape));
    } finally {
      patches.dispose();
    }
  }

  return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
    const xT = tf.transpose(x4, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy4, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]);
    const framed = frame(xT, [info.padInfo.top, bottom], [info.padInfo.left, right]);
    if (!framed) return tf.zeros(info.filterShape); // every window lies in the padding
    // The kernel, not tf.conv2d: that op refuses strides and dilations both above 1.
    const swapped = tf.engine().runKernel(tf.Conv2D, { x: framed.input, filter: dyT }, {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: framed.pad,
      dataFormat: 'NHWC',
    }) as tf.Tensor4D; // [cin, fh, fw, cout]
    return tf.transpose(swapped, [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
