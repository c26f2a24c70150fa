/** CSV files (with a header row) → [n,f] feature tensors plus row labels. */
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../../protocol/model';
import { cellProblem, fieldCountProblem, isBlankRecord, isNumberCell, splitCsv } from '../../shared/csv';
import { LensError } from '../errors';
import { base, perChannel, readInputFile } from './common';

export interface CsvTable {
  header: string[];
  /** Data rows (blank lines dropped), cells as written. */
  rows: string[][];
  /** 1-based file line where each row starts, for messages. */
  lines: number[];
}

export interface TabularRows {
  /** Feature columns, in model order. */
  features: string[];
  /** Raw (un-normalised) values, row-major, rows × features.length. */
  data: Float32Array;
  rows: number;
  /** labelColumn values, when the file has that column. */
  labels?: string[];
}

type InputSpec = NonNullable<Sidecar['input']>;

/**
 * Splits CSV text into a header and data rows. A row whose field count differs from the header's
 * is an error, or, given `skipRow`, reported to it (with its 1-based line) and left out.
 */
export function parseCsv(file: string, text: string, skipRow?: (line: number, reason: string) => void): CsvTable {
  const { records, lines, quoteError } = splitCsv(text, file.toLowerCase().endsWith('.tsv') ? '\t' : undefined);
  if (quoteError) throw new LensError('INVALID_INPUT', `${base(file)}: ${quoteError.line ? `line ${quoteError.line}: ` : ''}${quoteError.message}.`);
  const first = records.findIndex((r) => !isBlankRecord(r));
  if (first < 0) throw new LensError('INVALID_INPUT', `${base(file)}: the CSV file is empty; it needs a header row.`);
  const header = records[first].map((h) => h.trim());
  const table: CsvTable = { header, rows: [], lines: [] };
  for (let k = first + 1; k < records.length; k++) {
    const rec = records[k];
    if (isBlankRecord(rec)) continue;
    const reason = fieldCountProblem(rec, header.length);
    if (reason) {
      if (skipRow) {
        skipRow(lines[k], reason);
        continue;
      }
      throw new LensError('INVALID_INPUT', `${base(file)}: row ${table.rows.length + 1} (line ${lines[k]}) ${reason}`);
    }
    table.rows.push(rec.slice(0, header.length));
    table.lines.push(lines[k]);
  }
  return table;
}

export async function readCsvTable(file: string): Promise<CsvTable> {
  return parseCsv(file, (await readInputFile(file)).toString('utf8'));
}

/** The sidecar's feature columns (or every numeric column but the label), parsed as numbers. */
export function selectFeatures(file: string, table: CsvTable, input: Partial<InputSpec> = {}): TabularRows {
  const { header, rows } = table;
  const features = featureColumns(file, table, input);
  const labelIndex = input.labelColumn !== undefined ? header.indexOf(input.labelColumn) : -1;
  const cols = features.map((f) => header.indexOf(f));
  const data = new Float32Array(rows.length * cols.length);
  rows.forEach((row, i) => {
    cols.forEach((j, k) => {
      const problem = cellProblem(row[j]);
      if (problem) {
        throw new LensError('INVALID_INPUT', `${base(file)}: row ${i + 1} (line ${table.lines[i]}), column ${q(header[j])}: ${problem}.`);
      }
      data[i * cols.length + k] = Number(row[j].trim());
    });
  });
  const labels = labelIndex >= 0 ? rows.map((r) => r[labelIndex].trim()) : undefined;
  return { features, data, rows: rows.length, labels };
}

/** The sidecar's feature columns, checked against the header, or else every numeric column but the label. */
export function featureColumns(file: string, table: CsvTable, input: Partial<InputSpec> = {}): string[] {
  const { header, rows } = table;
  if (!rows.length) throw new LensError('INVALID_INPUT', `${base(file)}: the CSV file has a header but no data rows.`);
  const labelIndex = input.labelColumn !== undefined ? header.indexOf(input.labelColumn) : -1;
  let features = input.features;
  if (features) {
    const missing = features.filter((f) => !header.includes(f));
    if (missing.length) {
      throw new LensError(
        'INVALID_INPUT',
        `${base(file)}: missing feature column${missing.length > 1 ? 's' : ''} ${missing.map(q).join(', ')}; the header has ${header.map(q).join(', ')}.`,
      );
    }
  } else {
    // A column is numeric when its first non-empty cell is: a stray bad cell later is then
    // reported, instead of the whole column silently vanishing from the features.
    features = header.filter((name, j) => {
      if (j === labelIndex || name === '') return false;
      const cell = rows.find((r) => r[j].trim() !== '')?.[j];
      return cell !== undefined && isNumberCell(cell);
    });
    if (!features.length) {
      throw new LensError('INVALID_INPUT', `${base(file)}: no numeric columns found; list them in the sidecar's input.features.`);
    }
  }
  return features;
}

/** Reads a CSV into feature rows and labels, e.g. training data for later analysis. */
export async function readCsvRows(file: string, input: Partial<InputSpec> = {}): Promise<TabularRows> {
  return selectFeatures(file, await readCsvTable(file), input);
}

/** (x − mean) / std per feature, as a [rows, features] float32 tensor. */
export function tabularTensor(rows: TabularRows, input: Partial<InputSpec> = {}): tf.Tensor2D {
  return tf.tensor2d(standardise(rows, input), [rows.rows, rows.features.length], 'float32');
}

/** (x − mean) / std per feature, row-major like rows.data. */
export function standardise(rows: TabularRows, input: Partial<InputSpec> = {}): Float32Array {
  const f = rows.features.length;
  const mean = perChannel(input.mean, f, 'mean', 0);
  const std = perChannel(input.std, f, 'std', 1);
  const out = new Float32Array(rows.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (rows.data[i] - mean[i % f]) / std[i % f];
  return out;
}

/** The inverse of standardise: model-space values (row-major, `features` per row) in the file's units. */
export function unstandardise(values: ArrayLike<number>, features: number, input: Partial<InputSpec> = {}): number[] {
  const mean = perChannel(input.mean, features, 'mean', 0);
  const std = perChannel(input.std, features, 'std', 1);
  return Array.from(values, (v, i) => v * std[i % features] + mean[i % features]);
}

export interface CsvInput {
  tensor: tf.Tensor2D;
  labels?: string[];
  features: string[];
  description: string;
}

export async function loadCsv(file: string, input: Partial<InputSpec> = {}): Promise<CsvInput> {
  return csvInput(file, (await readInputFile(file)).toString('utf8'), input);
}

/** CSV text → normalised [rows, features] tensor, labels and a one-line description. */
export function csvInput(file: string, text: string, input: Partial<InputSpec> = {}): CsvInput {
  const rows = selectFeatures(file, parseCsv(file, text), input);
  const tensor = tabularTensor(rows, input);
  const shown = rows.features.length > 6 ? [...rows.features.slice(0, 6), '…'] : rows.features;
  let description = `${base(file)}: ${rows.rows} row${rows.rows === 1 ? '' : 's'} × ${rows.features.length} features (${shown.join(', ')})`;
  if (rows.labels) description += `, labels from ${q(input.labelColumn ?? '')}`;
  if (input.mean || input.std) description += ', standardised';
  return { tensor, labels: rows.labels, features: rows.features, description };
}

function q(name: string): string {
  return `"${name}"`;
}
