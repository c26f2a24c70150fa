/**
 * Missing on wasm, yet every conv gradient (even input-only saliency through a fused conv) needs it:
 * dW as one XNNPACK conv with roles swapped (x as [cin, h, w, n] * dy as [oh, ow, n, cout], strides
 * and dilations exchanged), or one matMul for 1x1 stride-1 filters.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, frame, requireInputs, runOps, trailingPadding } from './tensorInfo';

/** The kernel's attributes, plus dilations (tfjs never passes them: its conv gradient requires 1). */
type Attrs = tf.Conv2DBackpropFilterAttrs & { dilations?: [number, number] | number };

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { x, dy } = requireInputs(tf.Conv2DBackpropFilter, inputs, 'x', 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs as unknown as Attrs;
  const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode,
    false, channelsLast ? 'channelsLast' : 'channelsFirst');
  const [bottom, right] = trailingPadding(info);

  const pointwise = info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 &&
    info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && bottom === 0 && right === 0;
  if (pointwise) {
    // 1x1 filter, stride 1, no padding: one matMul, dW = x[cin, pixels] x dy[pixels, cout].
    const pixels = info.batchSize * info.outHeight * info.outWidth;
    return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
      const xT = tf.reshape(tf.transpose(x4, channelsLast ? [3, 0, 1, 2] : [1, 0, 2, 3]), [info.inChannels, pixels]);
      const dyM = tf.reshape(channelsLast ? dy4 : tf.transpose(dy4, [0, 2, 3, 1]), [pixels, info.outChannels]);
      return tf.reshape(tf.matMul(xT, dyM), info.filterShape);
    });
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
