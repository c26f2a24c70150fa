import * as assert from 'assert';
import { decodeImage, sniffImage } from '../../../../src/engine/data/decode';
import { loadImage } from '../../../../src/engine/data/image';
import { LensError } from '../../../../src/engine/errors';
import { jpegBytes, pngBytes, randomBytes, rejectsLens, useTempDir, write } from './fixtures';

const HINT = 'Model Lens reads PNG and JPEG.';

function gradientPng(): Buffer {
  const px: number[][] = [];
  for (let i = 0; i < 64; i++) px.push([i * 4, 255 - i * 4, (i * 37) % 256]);
  return pngBytes(8, 8, px);
}

function gradientJpeg(): Buffer {
  const rgba = new Uint8Array(32 * 32 * 4);
  for (let i = 0; i < 32 * 32; i++) rgba.set([i % 256, (i * 3) % 256, 90, 255], 4 * i);
  return jpegBytes(32, 32, rgba, 80);
}

/** Decoding must either succeed or throw INVALID_INPUT: never another error, never hang. */
function decodesOrInvalid(bytes: Uint8Array, what: string): void {
  try {
    decodeImage('fuzz.bin', bytes);
  } catch (err) {
    assert.ok(err instanceof LensError, `${what}: ${err instanceof Error ? err.stack : String(err)}`);
    assert.strictEqual(err.code, 'INVALID_INPUT', `${what}: ${err.message}`);
    assert.ok(err.message.endsWith(HINT), err.message);
  }
}

describe('inputs/decode: bad files', function () {
  this.timeout(5000);
  const tmp = useTempDir();

  it('sniffs formats from magic bytes', () => {
    assert.strictEqual(sniffImage(gradientPng()), 'PNG');
    assert.strictEqual(sniffImage(gradientJpeg()), 'JPEG');
    assert.strictEqual(sniffImage(Buffer.from('GIF89a....')), 'GIF');
    assert.strictEqual(sniffImage(Buffer.from('a,b\n1,2\n')), null);
    assert.strictEqual(sniffImage(new Uint8Array(0)), null);
  });

  it('truncated PNG → INVALID_INPUT naming the file', async () => {
    const png = gradientPng();
    const file = write(tmp.dir, 'cut.png', png.subarray(0, Math.floor(png.length / 2)));
    await rejectsLens(() => loadImage(file, { channels: 3 }), 'INVALID_INPUT', 'cut.png: cannot decode image (PNG', HINT);
  });

  it('truncated JPEG → INVALID_INPUT', async () => {
    const jpg = gradientJpeg();
    const file = write(tmp.dir, 'cut.jpg', jpg.subarray(0, Math.floor(jpg.length * 0.6)));
    await rejectsLens(() => loadImage(file, { channels: 3 }), 'INVALID_INPUT', 'cut.jpg: cannot decode image (JPEG', HINT);
  });

  it('random bytes → INVALID_INPUT', async () => {
    const file = write(tmp.dir, 'noise.png', randomBytes(4096, 7));
    await rejectsLens(() => loadImage(file, { channels: 3 }), 'INVALID_INPUT', 'not a PNG or JPEG file', HINT);
  });

  it('empty file → INVALID_INPUT', async () => {
    const file = write(tmp.dir, 'empty.png', new Uint8Array(0));
    await rejectsLens(() => loadImage(file, { channels: 3 }), 'INVALID_INPUT', 'empty file', HINT);
  });

  it('missing file → FILE_NOT_FOUND', async () => {
    await rejectsLens(() => loadImage(`${tmp.dir}/nope.png`, { channels: 3 }), 'FILE_NOT_FOUND', 'nope.png');
  });

  it('other formats are named as unsupported', async () => {
    await rejectsLens(() => decodeImage('a.gif', Buffer.from('GIF89a\x01\x00\x01\x00')), 'INVALID_INPUT', 'GIF is not supported', HINT);
  });

  it('a PNG declaring a huge canvas is refused before allocating', async () => {
    const png = Buffer.from(gradientPng());
    png.writeUInt32BE(100000, 16); // IHDR width
    png.writeUInt32BE(100000, 20); // IHDR height
    await rejectsLens(() => decodeImage('big.png', png), 'INVALID_INPUT', 'larger than');
  });

  it('magic bytes followed by garbage → INVALID_INPUT', async () => {
    const garbage = randomBytes(2048, 3);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), garbage]);
    await rejectsLens(() => decodeImage('g.png', png), 'INVALID_INPUT', '(PNG');
    const jpg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), garbage]);
    await rejectsLens(() => decodeImage('g.jpg', jpg), 'INVALID_INPUT', '(JPEG');
  });

  it('every truncation and many byte flips of a PNG and a JPEG decode or fail cleanly', () => {
    for (const [name, good] of [['png', gradientPng()], ['jpeg', gradientJpeg()]] as const) {
      for (let n = 0; n < good.length; n += Math.max(1, Math.floor(good.length / 150))) {
        decodesOrInvalid(good.subarray(0, n), `${name} cut at ${n}`);
      }
      const noise = randomBytes(400, name.length);
      for (let k = 0; k < 200; k++) {
        const bad = Uint8Array.from(good);
        const at = (noise[2 * k] * 256 + noise[2 * k + 1]) % bad.length;
        bad[at] ^= 1 + (noise[k] % 255);
        decodesOrInvalid(bad, `${name} flip at ${at}`);
      }
    }
  });
});
