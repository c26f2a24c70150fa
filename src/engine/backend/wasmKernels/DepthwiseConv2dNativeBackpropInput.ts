/**
 * Missing on wasm (depthwise and separable conv gradients): dx as one XNNPACK depthwise conv of the
 * zero-inserted, framed dy with the spatially flipped filter, summed over the channel multiplier.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, requireInputs, runOps, spreadForInputGradient } from './tensorInfo';

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { dy, filter } = requireInputs(tf.DepthwiseConv2dNativeBackpropInput, inputs, 'dy', 'filter');
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels } = info;
  const mult = outChannels / c;

  return runOps(backend as RefCountingBackend, [dy, filter], (dy4, f4) => {
    const framed = spreadForInputGradient(dy4 as tf.Tensor4D, info);
    if (!framed) return tf.zeros(inputShape); // no window reaches dy
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
