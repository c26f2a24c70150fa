/**
 * CSV lines → data rows as the engine numbers them (the engine's own parser is the truth: its
 * `lines` say where each data row starts), and the rows Copy writes back: in the file's columns,
 * delimiter and style, read by the engine as the float32 values the counterfactual holds.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseCsv } from '../../../src/engine/data/csv';
import { counterfactualCsvRow, formatLike } from '../../../src/shared/counterfactualCsv';
import { csvDataRow, csvLine, dataRowCount, splitCsv } from '../../../src/shared/csv';
import { ROOT } from '../../helpers/cli';

const PENGUINS_TEST = path.join(ROOT, 'examples/penguins-logreg/data/test.csv');

describe('shared/csv: the data row on a line', () => {
  it('numbers every line of the penguins test set as the engine numbers its rows', () => {
    const text = fs.readFileSync(PENGUINS_TEST, 'utf8');
    const table = parseCsv(PENGUINS_TEST, text);
    const lines = text.split('\n');
    assert.deepStrictEqual(csvLine(text, 1), { kind: 'header' });
    for (let i = 0; i < table.rows.length; i++) {
      const found = csvLine(text, table.lines[i]);
      assert.ok(found.kind === 'row', `line ${table.lines[i]}: ${found.kind}`);
      assert.strictEqual(found.row, i + 1);
      assert.deepStrictEqual(found.cells, table.rows[i]);
      assert.deepStrictEqual(found.header, table.header);
      assert.deepStrictEqual(found.lines, [table.lines[i], table.lines[i]]);
      assert.strictEqual(lines[found.lines[0] - 1], table.rows[i].join(','));
    }
    assert.strictEqual(dataRowCount(text), table.rows.length);
    assert.deepStrictEqual(csvDataRow(text, 5)?.cells, table.rows[4]);
    assert.strictEqual(csvDataRow(text, table.rows.length + 1), undefined);
    assert.strictEqual(csvDataRow(text, 0), undefined);
  });

  it('skips blank lines, spans quoted line breaks, and says why a line is no row', () => {
    const text = '\n a;b;note\n1;2;x\n\n3;4;"two\nlines"\n5;6\n7;8;y\n';
    assert.deepStrictEqual(csvLine(text, 1), { kind: 'blank' });
    assert.deepStrictEqual(csvLine(text, 2), { kind: 'header' });
    const first = csvLine(text, 3);
    assert.ok(first.kind === 'row');
    assert.strictEqual(first.delimiter, ';');
    assert.deepStrictEqual([first.row, first.header, first.headerLines], [1, ['a', 'b', 'note'], [2, 2]]);
    assert.deepStrictEqual(csvLine(text, 4), { kind: 'blank' });
    for (const line of [5, 6]) {
      const quoted = csvLine(text, line);
      assert.ok(quoted.kind === 'row', `line ${line}`);
      assert.deepStrictEqual([quoted.row, quoted.lines, quoted.cells], [2, [5, 6], ['3', '4', 'two\nlines']]);
    }
    assert.deepStrictEqual(csvLine(text, 7), { kind: 'malformed', row: 3, line: 7, reason: 'has 2 fields; the header has 3.' });
    const last = csvLine(text, 8);
    assert.ok(last.kind === 'row' && last.row === 4);
    assert.deepStrictEqual(csvLine(text, 9), { kind: 'blank' });
    assert.deepStrictEqual(csvLine('\n\n', 1), { kind: 'no-header' });
    assert.strictEqual(csvLine('a,b\n"1,2\n', 2).kind, 'malformed');
    // The engine reads the same rows.
    assert.deepStrictEqual(parseCsv('x.csv', text.replace('5;6\n', '')).rows.map((r) => r[0]), ['1', '3', '7']);
  });

  it('records carry the line they start on', () => {
    const { records, lines } = splitCsv('h\n"a\nb"\nc\n');
    assert.deepStrictEqual(records.slice(0, 3), [['h'], ['a\nb'], ['c']]);
    assert.deepStrictEqual(lines.slice(0, 3), [1, 2, 4]);
  });
});

describe('shared/counterfactualCsv: a counterfactual as a row of its file', () => {
  it('writes a changed value in its column\'s style when that is the same float32, else the shortest decimal that is', () => {
    assert.strictEqual(formatLike('39.5', 39.5), '39.5');
    assert.strictEqual(formatLike(' 17.0 ', 18), '18.0');
    assert.strictEqual(formatLike('186', 190), '190');
    assert.strictEqual(formatLike('0', 1), '1');
    // 45.2 would read as another float32 than 45.234: the digits that keep it are written.
    const v = 45.23456789;
    const text = formatLike('39.5', v);
    assert.strictEqual(Math.fround(Number(text)), Math.fround(v), text);
    assert.ok(text.length <= 10, text);
    // Near 3812 a float32 step is 2^-12: 3812.5 is the same float32 as 3812.4999, and no shorter decimal is.
    assert.strictEqual(Math.fround(3812.5), Math.fround(3812.4999));
    assert.notStrictEqual(Math.fround(3812), Math.fround(3812.4999));
    assert.strictEqual(formatLike('3800', 3812.4999), '3812.5');
    for (const x of [0.1, 1e-7, -2.5e-3, 123456.789, 5e20]) assert.strictEqual(Math.fround(Number(formatLike('1.00', x))), Math.fround(x), String(x));
  });

  it('keeps the file\'s columns, order, delimiter and unchanged cells; names the new class; quotes where needed', () => {
    const source = { delimiter: ';', header: ['id', 'x', 'y', 'label', 'note'], cells: ['007', '1.50', '2', 'a', 'said "hi"; left'] };
    const row = counterfactualCsvRow(source, { x: 2.25, y: 2 }, { column: 'label', value: 'b' });
    assert.strictEqual(row, '007;2.25;2;b;"said ""hi""; left"');
    assert.strictEqual(counterfactualCsvRow({ ...source, delimiter: ',' }, { x: 1.5 }), '007,1.50,2,a,"said ""hi""; left"');
  });
});
