/**
 * DepthwiseConv2dNativeBackpropInput for wasm, which has none (gradient of depthwise and
 * separable convs): dy with stride-1 zeros inserted and padded to a "full" convolution,
 * then one wasm depthwise conv (multiplier 1, same dilation) with the spatially flipped
 * filter, then a sum over the channel multiplier.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, requireInputs, padOrCrop, runOps } from './tensorInfo';

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { dy, filter } = requireInputs(tf.DepthwiseConv2dNativeBackpropInput, inputs, 'dy', 'filter');
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const { effectiveFilterHeight: eh, effectiveFilterWidth: ew, filterHeight: fh, filterWidth: fw } = info;
  const mult = outChannels / c;

  return runOps(backend as RefCountingBackend, [dy, filter], (dy4, f4) => {
    // Zero insertion: [n, oh, 1, ow, 1, ch] padded to [n, oh, sh, ow, sw, ch].
    let spread = dy4;
    if (sh > 1 || sw > 1) {
      spread = tf.reshape(tf.pad(tf.reshape(dy4, [n, oh, 1, ow, 1, outChannels]),
        [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [n, oh * sh, ow * sw, outChannels]);
    }
    // Full convolution: the window of dx row r starts at spread row r - (eh - 1 - top).
    const top = eh - 1 - padInfo.top;
    const left = ew - 1 - padInfo.left;
    const bottom = h + eh - 1 - top - oh * sh;
    const right = w + ew - 1 - left - ow * sw;
    const framed = padOrCrop(spread, [[0, 0], [top, bottom], [left, right], [0, 0]]) as tf.Tensor4D;
    const flipped = tf.reshape(tf.reverse(f4, [0, 1]), [fh, fw, outChannels, 1]) as tf.Tensor4D;
    const dx = tf.depthwiseConv2d(framed, flipped, 1, 'valid', 'NHWC', [dh, dw]);
    return mult === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, mult]), 4);
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
