/**
 * Conv2DBackpropFilter for wasm, which has none (every conv gradient, even an input-only
 * saliency through a fused conv, computes it): im2col in channel-major layout (one
 * transpose of x, one pad, one strided slice per filter tap, one concat) and one matMul,
 * dW[(tap, cin), cout] = cols[(tap, cin), pixels] x dy[pixels, cout].
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, requireInputs, runOps, spatialWindow } from './tensorInfo';

type Attrs = tf.Conv2DBackpropFilterAttrs & { dilations?: [number, number] | number };

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { x, dy } = requireInputs(tf.Conv2DBackpropFilter, inputs, 'x', 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs as unknown as Attrs;
  const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode,
    false, channelsLast ? 'channelsLast' : 'channelsFirst');
  const { filterHeight: fh, filterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo } = info;
  const [inH, inW] = [info.inHeight, info.inWidth];
  const pixels = info.batchSize * oh * ow;

  return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
    // Channel-major x: [cin, n, h, w]; dy as a matrix [pixels, cout].
    const xT = tf.transpose(x4, channelsLast ? [3, 0, 1, 2] : [1, 0, 2, 3]) as tf.Tensor4D;
    const dyMat = tf.reshape(channelsLast ? dy4 : tf.transpose(dy4, [0, 2, 3, 1]), [pixels, info.outChannels]);
    // Pad only as far as the windows reach (ceil rounding can reach past 'bottom'/'right').
    const needH = (oh - 1) * sh + (fh - 1) * dh + 1;
    const needW = (ow - 1) * sw + (fw - 1) * dw + 1;
    const bottom = Math.max(needH - inH - padInfo.top, 0);
    const right = Math.max(needW - inW - padInfo.left, 0);
    const xP = padInfo.top || bottom || padInfo.left || right
      ? tf.pad(xT, [[0, 0], [0, 0], [padInfo.top, bottom], [padInfo.left, right]])
      : xT;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) taps.push(spatialWindow(xP, i * dh, j * dw, oh, ow, sh, sw));
    }
    const cols = taps.length === 1 ? taps[0] : tf.concat(taps, 0);
    const dW = tf.matMul(tf.reshape(cols, [fh * fw * info.inChannels, pixels]), dyMat);
    return tf.reshape(dW, info.filterShape);
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
