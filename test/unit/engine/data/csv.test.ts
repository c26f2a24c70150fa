import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { csvInput, loadCsv, parseCsv, readCsvRows } from '../../../../src/engine/data/csv';
import { near, rejectsLens, useTempDir, write } from './fixtures';

const IRIS = [
  'id,petal_w,name,petal_l,species',
  '1,0.2,a,1.4,setosa',
  '2,1.3,b,4.5,versicolor',
  '3,2.0,c,5.5,virginica',
].join('\n');

describe('inputs/csv', function () {
  this.timeout(5000);
  const tmp = useTempDir();

  it('selects the sidecar features in model order, with labels', async () => {
    const file = write(tmp.dir, 'iris.csv', IRIS);
    const before = tf.memory().numTensors;
    const out = await loadCsv(file, { features: ['petal_l', 'petal_w'], labelColumn: 'species' });
    assert.deepStrictEqual(out.tensor.shape, [3, 2]);
    near(await out.tensor.data(), [1.4, 0.2, 4.5, 1.3, 5.5, 2.0]);
    assert.deepStrictEqual(out.labels, ['setosa', 'versicolor', 'virginica']);
    assert.deepStrictEqual(out.features, ['petal_l', 'petal_w']);
    assert.match(out.description, /iris\.csv: 3 rows × 2 features \(petal_l, petal_w\), labels from "species"/);
    out.tensor.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('without features, takes every numeric column except the label', () => {
    const out = csvInput('iris.csv', IRIS, { labelColumn: 'species' });
    assert.deepStrictEqual(out.features, ['id', 'petal_w', 'petal_l']);
    assert.deepStrictEqual(out.tensor.shape, [3, 3]);
    out.tensor.dispose();
    const noLabel = csvInput('iris.csv', IRIS);
    assert.strictEqual(noLabel.labels, undefined);
    noLabel.tensor.dispose();
  });

  it('applies (x − mean) / std per feature', async () => {
    const out = csvInput('iris.csv', IRIS, { features: ['petal_l', 'petal_w'], mean: [4, 1], std: [2, 0.5] });
    near(await out.tensor.data(), [-1.3, -1.6, 0.25, 0.6, 0.75, 2]);
    out.tensor.dispose();
    await rejectsLens(() => csvInput('iris.csv', IRIS, { features: ['petal_l'], mean: [1, 2] }), 'INVALID_SIDECAR', 'mean');
  });

  it('names the row and column of a bad cell', async () => {
    const text = 'a,b\n1,2\n3,oops\n';
    await rejectsLens(() => csvInput('bad.csv', text, { features: ['a', 'b'] }), 'INVALID_INPUT', 'bad.csv', 'row 2', 'line 3', 'column "b"', '"oops"');
    await rejectsLens(() => csvInput('bad.csv', 'a,b\n1,\n', { features: ['a', 'b'] }), 'INVALID_INPUT', 'row 1', 'column "b"', 'empty');
    await rejectsLens(() => csvInput('bad.csv', 'a\nInfinity\n', { features: ['a'] }), 'INVALID_INPUT', 'column "a"');
  });

  it('a bad cell in a numeric column is reported, not silently dropped', async () => {
    await rejectsLens(() => csvInput('bad.csv', 'a,b\n1,2\n3,n/a\n'), 'INVALID_INPUT', 'row 2', 'column "b"');
  });

  it('reports missing feature columns and ragged rows', async () => {
    await rejectsLens(() => csvInput('x.csv', IRIS, { features: ['petal_l', 'sepal'] }), 'INVALID_INPUT', '"sepal"', 'the header has');
    await rejectsLens(() => csvInput('x.csv', 'a,b\n1,2\n3\n'), 'INVALID_INPUT', 'row 2', 'line 3', '1 fields');
    await rejectsLens(() => csvInput('x.csv', ''), 'INVALID_INPUT', 'empty');
    await rejectsLens(() => csvInput('x.csv', 'a,b\n'), 'INVALID_INPUT', 'no data rows');
    await rejectsLens(() => csvInput('x.csv', 'name\nfoo\n'), 'INVALID_INPUT', 'no numeric columns');
  });

  it('copes with BOM, CRLF, quotes, blank lines, trailing commas and other delimiters', async () => {
    const table = parseCsv('x.csv', '\uFEFFa,"b"\r\n"1",2,\r\n\r\n" 3 ",4\r\n');
    assert.deepStrictEqual(table.header, ['a', 'b']);
    assert.deepStrictEqual(table.rows, [['1', '2'], [' 3 ', '4']]);
    assert.deepStrictEqual(table.lines, [2, 4]);
    const semi = csvInput('x.csv', 'a;b\n1;2\n');
    near(await semi.tensor.data(), [1, 2]);
    semi.tensor.dispose();
    assert.deepStrictEqual(parseCsv('x.tsv', 'a\tb\n1\t2\n').rows, [['1', '2']]);
  });

  it('counts lines across quoted newlines', async () => {
    await rejectsLens(() => csvInput('x.csv', 'note,v\n"multi\nline",1\nok,zz\n', { features: ['v'] }), 'INVALID_INPUT', 'row 2', 'line 4');
  });

  it('readCsvRows gives raw rows and labels for training data', async () => {
    const file = write(tmp.dir, 'train.csv', IRIS);
    const rows = await readCsvRows(file, { features: ['petal_w'], labelColumn: 'species', mean: [100] });
    assert.deepStrictEqual(rows.features, ['petal_w']);
    assert.strictEqual(rows.rows, 3);
    near(rows.data, [0.2, 1.3, 2.0]);
    assert.deepStrictEqual(rows.labels, ['setosa', 'versicolor', 'virginica']);
    await rejectsLens(() => readCsvRows(`${tmp.dir}/missing.csv`), 'FILE_NOT_FOUND', 'missing.csv');
  });
});
