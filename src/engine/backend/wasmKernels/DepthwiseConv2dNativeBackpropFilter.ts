/**
 * DepthwiseConv2dNativeBackpropFilter for wasm, which has none (gradient of depthwise and
 * separable convs): channel-major shifted (strided) slices of the padded input, one per
 * filter tap, multiplied by dy and summed over pixels: dW[tap, c, m] = sum_p x_tap[c, p] dy[c, m, p].
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, requireInputs, runOps, spatialWindow } from './tensorInfo';

function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { x, dy } = requireInputs(tf.DepthwiseConv2dNativeBackpropFilter, inputs, 'x', 'dy');
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { filterHeight: fh, filterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo, inChannels: c } = info;
  const mult = info.outChannels / c;
  const pixels = info.batchSize * oh * ow;

  return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
    const xT = tf.transpose(x4, [3, 0, 1, 2]) as tf.Tensor4D;
    const needH = (oh - 1) * sh + (fh - 1) * dh + 1;
    const needW = (ow - 1) * sw + (fw - 1) * dw + 1;
    const bottom = Math.max(needH - info.inHeight - padInfo.top, 0);
    const right = Math.max(needW - info.inWidth - padInfo.left, 0);
    const xP = padInfo.top || bottom || padInfo.left || right
      ? tf.pad(xT, [[0, 0], [0, 0], [padInfo.top, bottom], [padInfo.left, right]])
      : xT;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) taps.push(spatialWindow(xP, i * dh, j * dw, oh, ow, sh, sw));
    }
    const cols = tf.reshape(taps.length === 1 ? taps[0] : tf.concat(taps, 0), [fh * fw, c, 1, pixels]);
    const dyT = tf.reshape(tf.transpose(tf.reshape(dy4, [pixels, c * mult])), [1, c, mult, pixels]);
    return tf.reshape(tf.sum(tf.mul(cols, dyT), 3), filterShape);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
