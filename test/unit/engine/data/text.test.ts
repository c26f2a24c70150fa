import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../../../../src/protocol/model';
import { loadInput } from '../../../../src/engine/data/input';
import { textInput, tokenize } from '../../../../src/engine/data/text';
import { rejectsLens } from '../../../helpers/assertLens';
import { tempDir } from '../../../helpers/tempDir';

const VOCAB = ['<pad>', '<unk>', 'the', 'movie', 'was', "don't", 'superb', 'terrible', 'Great'];

describe('text inputs', () => {
  let dir: string;
  let sidecarPath: string;
  const sidecar: Sidecar = { input: { kind: 'text', vocab: 'vocab.json', maxLength: 6, lowercase: true } };
  before(async () => {
    await tf.setBackend('cpu');
    dir = tempDir();
    sidecarPath = path.join(dir, 'model.lens.json');
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(VOCAB));
    fs.writeFileSync(sidecarPath, JSON.stringify(sidecar));
  });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('tokenizes on everything but letters, digits and apostrophes', () => {
    assert.deepStrictEqual(tokenize("The movie -- wasn't 2 GOOD!!\n(really)", true), ['the', 'movie', "wasn't", '2', 'good', 'really']);
    assert.deepStrictEqual(tokenize('Café, naïve; über', false), ['Café', 'naïve', 'über']);
    assert.deepStrictEqual(tokenize('  ...  ', true), []);
  });

  it('maps known words to their ids, unknown to 1, and pads with 0 to maxLength', async () => {
    const file = write('a.txt', 'The MOVIE was superb!');
    const before = tf.memory().numTensors;
    const input = await loadInput(file, { shape: [null, null], dtype: 'int32' }, sidecar, sidecarPath);
    assert.strictEqual(input.kind, 'text');
    assert.strictEqual(input.tensor.dtype, 'int32');
    assert.deepStrictEqual(input.tensor.shape, [1, 6]);
    assert.deepStrictEqual(Array.from(await input.tensor.data()), [2, 3, 4, 6, 0, 0]);
    assert.deepStrictEqual(input.tokens, ['the', 'movie', 'was', 'superb', '<pad>', '<pad>']);
    assert.match(input.description, /4 tokens, padded to 6/);
    input.tensor.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
    const unknown = textInput('b.txt', "the popcorn don't", sidecar, dir, null);
    assert.deepStrictEqual(Array.from(unknown.tensor.dataSync()), [2, 1, 5, 0, 0, 0], 'popcorn is unknown; apostrophes stay inside words');
    assert.deepStrictEqual(unknown.tokens.slice(0, 3), ['the', 'popcorn', "don't"], 'unknown words are shown as written');
    unknown.tensor.dispose();
  });

  it("truncates to the model's fixed length, which wins over maxLength", () => {
    const t = textInput('c.txt', 'the movie was superb the movie was terrible', sidecar, dir, 4);
    assert.deepStrictEqual(t.tensor.shape, [1, 4]);
    assert.deepStrictEqual(Array.from(t.tensor.dataSync()), [2, 3, 4, 6]);
    assert.match(t.description, /8 tokens, truncated to 4/);
    t.tensor.dispose();
    const long = textInput('d.txt', 'the movie was superb the movie was terrible', sidecar, dir, null);
    assert.deepStrictEqual(long.tensor.shape, [1, 6], 'maxLength when the model length is free');
    long.tensor.dispose();
  });

  it('keeps case when lowercase is off', () => {
    const t = textInput('e.txt', 'Great great', { input: { kind: 'text', vocab: 'vocab.json' } }, dir, null);
    assert.deepStrictEqual(Array.from(t.tensor.dataSync()), [8, 1], 'no maxLength and a free model length: one id per word');
    t.tensor.dispose();
  });

  it("a causal LM's pieces tokenizer: a word keeps its leading space, newlines are pieces, nothing is padded", () => {
    fs.writeFileSync(path.join(dir, 'pieces.json'), JSON.stringify(['<pad>', '<unk>', 'Review', ':', ' the', ' movie', '\n', 'label', ' positive']));
    const pieces: Sidecar = { input: { kind: 'text', tokenizer: 'pieces', vocab: 'pieces.json', maxLength: 32 } };
    const t = textInput('p.txt', 'Review: the  movie\nlabel: positive', pieces, dir, null);
    assert.deepStrictEqual(t.tokens, ['Review', ':', ' the', ' ', ' movie', '\n', 'label', ':', ' positive']);
    assert.deepStrictEqual(Array.from(t.tensor.dataSync()), [2, 3, 4, 1, 5, 6, 7, 3, 8]);
    assert.match(t.description, /9 tokens, 1 unknown\)/);
    t.tensor.dispose();
  });

  it('refuses text without a vocab, empty text and a vocab that is not an array of strings', async () => {
    const file = write('f.txt', 'the movie');
    await rejectsLens(() => loadInput(file, { shape: [null, 6], dtype: 'int32' }, { input: { kind: 'text' } }, sidecarPath), 'INVALID_SIDECAR', 'input.vocab');
    await rejectsLens(() => loadInput(write('g.txt', ' ?! \n'), { shape: [null, 6], dtype: 'int32' }, sidecar, sidecarPath), 'INVALID_INPUT', 'no words');
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(['<pad>', 3]));
    const bad: Sidecar = { input: { kind: 'text', vocab: 'bad.json' } };
    await rejectsLens(() => loadInput(file, { shape: [null, 6], dtype: 'int32' }, bad, sidecarPath), 'INVALID_SIDECAR', 'array of strings');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"the": 2');
    await rejectsLens(() => loadInput(file, { shape: [null, 6], dtype: 'int32' }, { input: { kind: 'text', vocab: 'broken.json' } }, sidecarPath), 'INVALID_SIDECAR', 'not valid JSON');
    await rejectsLens(() => loadInput(file, { shape: [null, 6], dtype: 'int32' }, { input: { kind: 'text', vocab: 'missing.json' } }, sidecarPath), 'INVALID_SIDECAR', 'cannot be read');
  });

  it('reads a file of sidecar kind text whatever its extension', async () => {
    const file = write('review.md', 'superb');
    const input = await loadInput(file, { shape: [null, 6], dtype: 'int32' }, sidecar, sidecarPath);
    assert.strictEqual(input.kind, 'text');
    assert.deepStrictEqual(Array.from(await input.tensor.data()), [6, 0, 0, 0, 0, 0]);
    input.tensor.dispose();
  });
});
