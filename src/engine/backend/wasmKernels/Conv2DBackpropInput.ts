/**
 * Replaces wasm's own (plain C loops, the slowest step of a conv net's input gradient): dx as one
 * XNNPACK conv of the zero-inserted, framed dy with the filter flipped and transposed to [fh, fw, cout, cin].
 */
import * as tf from '@tensorflow/tfjs';
import { KernelParams, RefCountingBackend, requireInputs, runOps, spreadForInputGradient } from './tensorInfo';

/** The kernel's attributes, plus dilations (tfjs never passes them: its conv gradient requires 1). */
type Attrs = tf.Conv2DBackpropInputAttrs & { dilations?: [number, number] | number };

function conv2DBackpropInput({ inputs, backend, attrs }: KernelParams): tf.TensorInfo {
  const { dy, filter } = requireInputs(tf.Conv2DBackpropInput, inputs, 'dy', 'filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape, dilations } = attrs as unknown as Attrs;
  const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC') === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode,
    false, channelsLast ? 'channelsLast' : 'channelsFirst');

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
