/**
 * Conv2DBackpropFilter for wasm, which has none (every conv gradient, even an input-only
 * saliency through a fused conv, computes it). dW is itself a convolution, run by the wasm
 * (XNNPACK) Conv2D kernel with roles swapped: input x as [cin, h, w, n], filter dy as
 * [oh, ow, n, cout], strides and dilations exchanged: dW[i, j, ci, co] =
 * sum_{n, a, b} x[n, a*sh + i*dh - top, b*sw + j*dw - left, ci] * dy[n, a, b, co].
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

  return runOps(backend as RefCountingBackend, [x, dy], (x4, dy4) => {
    const xT = tf.transpose(x4, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy4, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]);
    const framed = frame(xT, [info.padInfo.top, bottom], [info.padInfo.left, right]);
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
