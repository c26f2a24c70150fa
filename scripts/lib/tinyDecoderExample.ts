/** Writes the tiny decoder's spec, sidecar and metrics (filled in after training). */
import type * as tf from '@tensorflow/tfjs';
import type { PieceTokenizer } from '../../src/engine/data/pieces';
import type { Review } from './iclTask';

export async function writeTinyDecoderExample(_: { dir: string; model: tf.LayersModel; tokenizer: PieceTokenizer; heldOutReviews: Review[]; log: object[]; seed: number; context: number }): Promise<void> {}
