/**
 * CSV text as records with the file line each starts on, shared by the engine (which reads CSV
 * inputs and training sets) and the extension host (which finds the data row under the cursor
 * and writes counterfactuals back as rows of the same file).
 */
import Papa from 'papaparse';

export interface CsvRecords {
  delimiter: string;
  /** Every record, blank ones included, cells as written (unquoted). */
  records: string[][];
  /** The 1-based file line each record starts on. */
  lines: number[];
  /** An unbalanced quote: the line it starts on (when known) and Papa Parse's message. */
  quoteError?: { line?: number; message: string };
}

/** A training CSV's label column when the sidecar names none (input.labelColumn). */
export const DEFAULT_LABEL_COLUMN = 'label';

/** Strict decimal: Number() would also take '', '0x1f' and 'Infinity'. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits CSV text into records; the delimiter is guessed from the header line unless given. */
export function splitCsv(text: string, delimiter = guessDelimiter(text)): CsvRecords {
  // skipEmptyLines stays off so record k maps to a known line; callers drop blank records.
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: false });
  const records = parsed.data;
  const lines: number[] = [];
  let line = 1;
  for (const rec of records) {
    lines.push(line);
    line += 1 + lineBreaks(rec);
  }
  const out: CsvRecords = { delimiter, records, lines };
  const quote = parsed.errors.find((e) => e.type === 'Quotes');
  if (quote) out.quoteError = { ...(quote.row !== undefined && lines[quote.row] ? { line: lines[quote.row] } : {}), message: quote.message };
  return out;
}

/** Line breaks inside a record's (quoted) cells. */
const lineBreaks = (rec: string[]): number => rec.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);

/** The delimiter the header line (the first non-blank one) uses most: comma, tab, semicolon or bar. */
export function guessDelimiter(text: string): string {
  const headerLine = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const count = headerLine.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

export const isBlankRecord = (rec: string[]): boolean => rec.every((c) => c.trim() === '');

/** Why a record does not line up with a header of `columns` cells ("has 3 fields; the header has 10."), or null when it does. */
export function fieldCountProblem(rec: string[], columns: number): string | null {
  // Trailing empty cells (a trailing delimiter) are harmless; anything else misaligns columns.
  const extra = rec.slice(columns);
  return rec.length < columns || extra.some((c) => c.trim() !== '') ? `has ${rec.length} fields; the header has ${columns}.` : null;
}

/** Whether a cell holds a number as the engine reads them. */
export const isNumberCell = (cell: string): boolean => NUMBER.test(cell.trim());

/** Why a feature cell is not a number ('is empty', '"abc" is not a number'), or null when it is one. */
export function cellProblem(cell: string): string | null {
  const value = cell.trim();
  if (NUMBER.test(value)) return null;
  return value === '' ? 'is empty' : `"${value.length > 40 ? value.slice(0, 40) + '…' : value}" is not a number`;
}

/** Where a file line falls in a CSV: a data row (its 1-based number under the header, cells, lines), or why it is none. */
export type CsvLine =
  | { kind: 'row'; delimiter: string; header: string[]; cells: string[]; row: number; lines: [first: number, last: number]; headerLines: [first: number, last: number] }
  | { kind: 'header' | 'blank' | 'no-header' }
  | { kind: 'malformed'; row: number; line: number; reason: string };

/** The record that file line `line` (1-based) belongs to, numbered as the engine numbers data rows (`--row`). */
export function csvLine(text: string, line: number): CsvLine {
  const { delimiter, records, lines, quoteError } = splitCsv(text);
  if (quoteError) return { kind: 'malformed', row: 0, line: quoteError.line ?? line, reason: quoteError.message };
  const first = records.findIndex((r) => !isBlankRecord(r));
  if (first < 0) return { kind: 'no-header' };
  // A quoted cell may hold line breaks: a record spans its start line and one more per break.
  const span = (k: number): [number, number] => [lines[k], lines[k] + lineBreaks(records[k])];
  // The record holding the line: the last one starting at or before it.
  let k = records.length - 1;
  while (k > 0 && lines[k] > line) k--;
  if (k < first || isBlankRecord(records[k]) || line > span(k)[1]) return { kind: k === first ? 'header' : 'blank' };
  if (k === first) return { kind: 'header' };
  const row = records.slice(first + 1, k + 1).filter((r) => !isBlankRecord(r)).length;
  const header = records[first].map((h) => h.trim());
  const reason = fieldCountProblem(records[k], header.length);
  if (reason) return { kind: 'malformed', row, line: lines[k], reason };
  return { kind: 'row', delimiter, header, cells: records[k].slice(0, header.length), row, lines: span(k), headerLines: span(first) };
}

/** Data row `row` (1-based, as the engine numbers them) with the header and delimiter; undefined when there is none. */
export function csvDataRow(text: string, row: number): { delimiter: string; header: string[]; cells: string[] } | undefined {
  const { delimiter, records } = splitCsv(text);
  const nonBlank = records.filter((r) => !isBlankRecord(r));
  const [header, cells] = [nonBlank[0], nonBlank[row]];
  return header && cells && row >= 1 ? { delimiter, header: header.map((h) => h.trim()), cells } : undefined;
}

/** How many data rows the CSV holds (non-blank records under the header). */
export function dataRowCount(text: string): number {
  return Math.max(0, splitCsv(text).records.filter((r) => !isBlankRecord(r)).length - 1);
}
