/**
 * Missing on wasm (depthwise and separable conv gradients): dW as one XNNPACK depthwise conv with roles
 * swapped (x as [1, h, w, n*c] * dy as [oh, ow, n*c, m], strides and dilations exchanged), summed over n.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, frame, requireInputs, runOps, trailingPadding } from './tensorInfo';

function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { x, dy } = requireInputs(tf.DepthwiseConv2dNativeBackpropFilter, inputs, 'x', 'dy');
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const [fh, fw, , mult] = filterShape;
  const [bottom, right] = trailingPadding(info);

  return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
    const xT = tf.reshape(n === 1 ? x4 : tf.transpose(x4, [1, 2, 0, 3]), [1, h, w, n * c]) as tf.Tensor4D;
    const dyT = tf.reshape(n === 1 ? dy4 : tf.transpose(dy4, [1, 2, 0, 3]), [oh, ow, n * c, mult]);
    const framed = frame(xT, [info.padInfo.top, bottom], [info.padInfo.left, right]);
    if (!framed) return tf.zeros(filterShape); // every window lies in the padding
    // The kernel, not tf.depthwiseConv2d: that op refuses strides and dilations both above 1.
    const swapped = tf.engine().runKernel(tf.DepthwiseConv2dNative, { x: framed.input, filter: dyT }, {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: framed.pad,
    }) as tf.Tensor; // [1, fh, fw, n*c*mult]
    return tf.reshape(n === 1 ? swapped : tf.sum(tf.reshape(swapped, [fh * fw, n, c * mult]), 1), filterShape);
  });
}

export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
