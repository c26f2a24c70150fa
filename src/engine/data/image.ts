/** Image files → model-ready Float32 tensors [1,h,w,c]. */
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../../protocol/model';
import { LensError } from '../errors';
import { base, formatShape, perChannel, readInputFile } from './common';
import { decodeImage } from './decode';
import { resizeBilinear } from './resize';

export interface ImageOptions {
  /** [height, width]; omitted keeps the image's own size. */
  size?: [number, number];
  channels: 1 | 3;
  /** Multiplies 0..255 pixel values; default 1/255. */
  scale?: number;
  mean?: number[];
  std?: number[];
}

export interface Preview {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface PreparedImage {
  /** HWC floats after resize, scale and (x - mean) / std. */
  data: Float32Array;
  height: number;
  width: number;
  channels: 1 | 3;
  /** What the model sees (resized, channel-converted), as 8-bit RGBA, so overlays line up. */
  preview: Preview;
  description: string;
}

export function prepareImage(file: string, bytes: Uint8Array, opts: ImageOptions): PreparedImage {
  const img = decodeImage(file, bytes);
  const c = opts.channels;
  const [h, w] = opts.size ?? [img.height, img.width];
  const scale = opts.scale ?? 1 / 255;
  const mean = perChannel(opts.mean, c, 'mean', 0);
  const std = perChannel(opts.std, c, 'std', 1);

  const pixels = resizeBilinear(toChannels(img.data, c), img.height, img.width, c, h, w);
  const preview = toPreview(pixels, w, h, c);
  for (let i = 0; i < pixels.length; i++) {
    const k = i % c;
    pixels[i] = (pixels[i] * scale - mean[k]) / std[k];
  }

  const parts = [`${base(file)}: ${img.format} ${img.width}×${img.height}`];
  if (h !== img.height || w !== img.width) parts[0] += ` → ${w}×${h}`;
  parts.push(c === 1 ? 'grayscale' : 'RGB', `×${scale === 1 / 255 ? '1/255' : scale}`);
  if (opts.mean || opts.std) parts.push(`(x−[${mean.join(',')}])/[${std.join(',')}]`);
  return { data: pixels, height: h, width: w, channels: c, preview, description: parts.join(', ') };
}

/** Reads and prepares an image file as a [1,h,w,c] float32 tensor. */
export async function loadImage(
  file: string,
  opts: ImageOptions,
): Promise<{ tensor: tf.Tensor4D; preview: Preview; description: string }> {
  const img = prepareImage(file, await readInputFile(file), opts);
  const tensor = tf.tensor4d(img.data, [1, img.height, img.width, img.channels], 'float32');
  return { tensor, preview: img.preview, description: img.description };
}

/**
 * RGBA bytes → 1 or 3 float channels in 0..255. Alpha is dropped, not composited: that is what
 * PIL's convert('RGB'/'L') and tf.io.decode_png(channels=3) do, i.e. how training data was read.
 */
export function toChannels(rgba: Uint8Array, channels: 1 | 3): Float32Array {
  const n = rgba.length / 4;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i];
    const g = rgba[4 * i + 1];
    const b = rgba[4 * i + 2];
    if (channels === 1) {
      out[i] = 0.299 * r + 0.587 * g + 0.114 * b; // ITU-R BT.601 luma, as PIL 'L'
    } else {
      out[3 * i] = r;
      out[3 * i + 1] = g;
      out[3 * i + 2] = b;
    }
  }
  return out;
}

/** The inverse of prepareImage's normalisation: model-space HWC values (e.g. a baseline) as the image they stand for. */
export function previewOfValues(values: ArrayLike<number>, height: number, width: number, opts: ImageOptions): Preview {
  const c = values.length / (height * width) === 3 ? 3 : 1;
  const scale = opts.scale ?? 1 / 255;
  const mean = perChannel(opts.mean, c, 'mean', 0);
  const std = perChannel(opts.std, c, 'std', 1);
  const pixels = Float32Array.from(values, (v, i) => (v * std[i % c] + mean[i % c]) / scale);
  return toPreview(pixels, width, height, c);
}

function toPreview(pixels: Float32Array, width: number, height: number, channels: 1 | 3): Preview {
  const rgba = new Uint8Array(width * height * 4);
  const byte = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = byte(pixels[i * channels + (channels === 1 ? 0 : k)]);
    rgba[4 * i + 3] = 255;
  }
  return { width, height, rgba };
}

/** How an image fills a model input: [1,h,w,c], [1,h,w] (grayscale, no channel axis) or [1,h*w*c]. */
export interface ImagePlan {
  options: ImageOptions;
  /** Final tensor shape for a prepared image of this size. */
  shapeFor(h: number, w: number, c: number): number[];
}

/** Image options from the sidecar, falling back to the model input's [h,w] and channel count. */
export function planImage(shape: readonly (number | null)[], sidecar: Sidecar): ImagePlan {
  const input = sidecar.input ?? { kind: 'image' as const };
  checkSidecarImage(input.size, input.channels);
  const fixed = (d: number | null | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
  let size = input.size;
  let channels = input.channels;
  let shapeFor = (h: number, w: number, c: number): number[] => [1, h, w, c];

  if (shape.length === 4) {
    const [mh, mw, mc] = [fixed(shape[1]), fixed(shape[2]), shape[3]];
    if (!size && mh !== undefined && mw !== undefined) size = [mh, mw];
    if (!channels) {
      if (mc === 1 || mc === 3 || mc === null) channels = mc ?? 3;
      else {
        throw new LensError(
          'INVALID_INPUT',
          `Model input ${formatShape(shape)} wants ${mc} channels; Model Lens feeds images as 1 (grayscale) or 3 (RGB) channels.`,
        );
      }
    }
  } else if (shape.length === 3) {
    // [batch,h,w]: a grayscale model without a channel axis (common for MNIST).
    const [mh, mw] = [fixed(shape[1]), fixed(shape[2])];
    if (!size && mh !== undefined && mw !== undefined) size = [mh, mw];
    channels ??= 1;
    shapeFor = (h, w, c) => (c === 1 ? [1, h, w] : [1, h, w, c]);
  } else if (shape.length === 2) {
    // [batch,features]: the model flattens the image itself; size must come from the sidecar.
    channels ??= 1;
    shapeFor = (h, w, c) => [1, h * w * c];
  }
  return { options: { size, channels: channels ?? 3, scale: input.scale, mean: input.mean, std: input.std }, shapeFor };
}

function checkSidecarImage(size: unknown, channels: unknown): void {
  const ok = (d: unknown): boolean => Number.isInteger(d) && (d as number) > 0;
  if (size !== undefined && !(Array.isArray(size) && size.length === 2 && size.every(ok))) {
    throw new LensError('INVALID_SIDECAR', `Sidecar input.size must be [height, width] in pixels; got ${JSON.stringify(size)}.`);
  }
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new LensError('INVALID_SIDECAR', `Sidecar input.channels must be 1 or 3; got ${JSON.stringify(channels)}.`);
  }
}
