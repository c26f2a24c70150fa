/**
 * An image input's pixels as counterfactual methods see them: p = raw / 255 in [0, 1] per channel
 * (raw the 0–255 value after decoding and resizing), flat in HWC order like the model's input, and
 * the sidecar's map to the model's input, x = (255 p · scale − mean_c) / std_c. Counterfactual
 * images are 8-bit: p is rounded to the 255 grid before the model judges them, so the PNG written
 * is exactly what was checked.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sidecar, TensorSpec } from '../../protocol/model';
import { perChannel } from '../data/common';
import { pngDataUri } from '../data/encode';
import { planImage } from '../data/image';
import { LensError } from '../errors';

export class PixelSpace {
  readonly size: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(
    readonly shape: number[],
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    scale: number,
    mean: number[],
    std: number[],
  ) {
    this.size = height * width * channels;
    this.a = Float64Array.from(std, (s) => (255 * scale) / s);
    this.b = Float64Array.from(std, (s, c) => -mean[c] / s);
  }

  /** The pixel space of an image input [1, ...] whose preview (what the model sees) is height × width. */
  static of(spec: TensorSpec, sidecar: Sidecar, shape: number[], height: number, width: number): PixelSpace {
    const { options } = planImage(spec.shape, sidecar);
    const c = options.channels;
    if (shape.reduce((p, d) => p * d, 1) !== height * width * c) throw new LensError('INVALID_INPUT', `The image input [${shape}] does not hold ${height}×${width}×${c} pixels.`);
    return new PixelSpace(shape, height, width, c, options.scale ?? 1 / 255, perChannel(options.mean, c, 'mean', 0), perChannel(options.std, c, 'std', 1));
  }

  /** ∂x/∂p of channel c: the model's input moves by this per unit of p. */
  slope(c: number): number {
    return this.a[c];
  }

  /** Model input values → p (flat, HWC). */
  toPixels(x: ArrayLike<number>): Float64Array {
    const c = this.channels;
    return Float64Array.from(x, (v, i) => (v - this.b[i % c]) / this.a[i % c]);
  }

  /** p (k images, flat) → model inputs [k, ...]. */
  toModel(p: ArrayLike<number>, k = p.length / this.size): tf.Tensor {
    const c = this.channels;
    const x = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) x[i] = this.a[i % c] * p[i] + this.b[i % c];
    return tf.tensor(x, [k, ...this.shape.slice(1)], 'float32');
  }

  /** p on the 8-bit grid. */
  quantize(p: ArrayLike<number>): Float64Array {
    return Float64Array.from(p, (v) => Math.round(255 * Math.min(1, Math.max(0, v))) / 255);
  }

  /** An image (p, flat HWC) as a PNG data: URI, grayscale shown as gray. */
  png(p: ArrayLike<number>): string {
    const n = this.height * this.width;
    const rgba = new Uint8Array(4 * n);
    const c = this.channels;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) rgba[4 * i + k] = Math.round(255 * Math.min(1, Math.max(0, p[i * c + (c === 1 ? 0 : k)])));
      rgba[4 * i + 3] = 255;
    }
    return pngDataUri({ width: this.width, height: this.height, rgba });
  }

  /** Σ|Δ| + tvWeight · Σ (|Δ(i+1, j) − Δ(i, j)| + |Δ(i, j+1) − Δ(i, j)|) of Δ = a − b, per channel (anisotropic total variation). */
  cost(a: ArrayLike<number>, b: ArrayLike<number>, tvWeight: number): number {
    const { height: h, width: w, channels: c } = this;
    const delta = (y: number, x: number, k: number) => a[(y * w + x) * c + k] - b[(y * w + x) * c + k];
    let l1 = 0;
    let tv = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const v = delta(y, x, k);
          l1 += Math.abs(v);
          if (y + 1 < h) tv += Math.abs(delta(y + 1, x, k) - v);
          if (x + 1 < w) tv += Math.abs(delta(y, x + 1, k) - v);
        }
      }
    }
    return l1 + tvWeight * tv;
  }

  /** Pixel positions (h × w) where any channel's 8-bit value differs. */
  changedPixels(a: ArrayLike<number>, b: ArrayLike<number>): number {
    const c = this.channels;
    let n = 0;
    for (let i = 0; i < this.height * this.width; i++) {
      for (let k = 0; k < c; k++) {
        if (Math.round(255 * a[i * c + k]) !== Math.round(255 * b[i * c + k])) {
          n++;
          break;
        }
      }
    }
    return n;
  }
}
