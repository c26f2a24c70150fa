/**
 * DepthwiseConv2dNativeBackpropInput for wasm, which has none (gradient of depthwise and
 * separable convs): dy with stride-1 zeros inserted and framed for a "full" convolution,
 * then one wasm (XNNPACK) depthwise conv, multiplier 1 and the same dilations, with the
 * spatially flipped filter, then a sum over the channel multiplier.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, frame, requireInputs, runOps } from './tensorInfo';

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { dy, filter } = requireInputs(tf.DepthwiseConv2dNativeBackpropInput, inputs, 'dy', 'filter');
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo, effectiveFilterHeight: eh, effectiveFilterWidth: ew } = info;
  const mult = outChannels / c;

  return runOps(backend as RefCountingBackend, [dy, filter], (dy4, f4) => {
    // Zero insertion: [n, oh, 1, ow, 1, ch] padded to [n, oh, sh, ow, sw, ch].
    let spread = dy4 as tf.Tensor4D;
    if (sh > 1 || sw > 1) {
      const cells = tf.pad(tf.reshape(dy4, [n, oh, 1, ow, 1, outChannels]),
        [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      spread = tf.reshape(cells, [n, oh * sh, ow * sw, outChannels]);
    }
    // Full convolution: the window of dx row r starts at spread row r - (eh - 1 - top).
    const top = eh - 1 - padInfo.top;
    const left = ew - 1 - padInfo.left;
    const framed = frame(spread, [top, h + eh - 1 - top - oh * sh], [left, w + ew - 1 - left - ow * sw]);
    const flipped = tf.reshape(tf.reverse(f4, [0, 1]), [info.filterHeight, info.filterWidth, outChannels, 1]);
    const dx = tf.engine().runKernel(tf.DepthwiseConv2dNative, { x: framed.input, filter: flipped }, {
      strides: 1, dilations: [info.dilationHeight, info.dilationWidth], pad: framed.pad,
    }) as tf.Tensor;
    return mult === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, mult]), 4);
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
