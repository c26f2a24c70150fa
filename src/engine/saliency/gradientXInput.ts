/** Gradient × input (Shrikumar et al. 2016; Captum's InputXGradient): x ⊙ ∂F/∂x. */
import * as tf from '@tensorflow/tfjs';
import type { AttributionMethod } from './method';
import { gradientOfBatch, singleShotMethod, type BatchAttribution } from './gradient';

export const gradientXInputOfBatch: BatchAttribution = (subject, points) => tf.mul(gradientOfBatch(subject, points), points);

export const gradientXInput: AttributionMethod = singleShotMethod('gradient-x-input', gradientXInputOfBatch);
