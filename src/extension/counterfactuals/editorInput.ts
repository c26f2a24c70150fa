/**
 * Inputs taken from an editor for Find Counterfactual: the CSV data row on a line, or selected
 * text. Each is written to a scratch file in the extension's storage as the editor shows it (saved
 * or not): the CSV's header and that one row, byte for byte, so other rows of the file (blank
 * cells, notes) do not matter and the row keeps its delimiter, quoting and number style.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { csvLine } from '../../shared/csv';
import { rowProblem, type CatalogModel } from '../workspace/sidecarInputs';

export interface EditorRow {
  /** The CSV file (absolute) and its data row (1-based, as --row counts) and first line (1-based). */
  file: string;
  row: number;
  line: number;
  header: string[];
  cells: string[];
  /** The header's and the row's text as the editor shows them. */
  text: string;
}

/** The data row on `line` (0-based) of a CSV document; throws an Error saying why that line is none. */
export function rowAt(doc: vscode.TextDocument, line: number): EditorRow {
  const name = path.basename(doc.uri.fsPath);
  const found = csvLine(doc.getText(), line + 1);
  switch (found.kind) {
    case 'header':
      throw new Error(`line ${line + 1} of ${name} is its header: put the cursor on a data row.`);
    case 'blank':
      throw new Error(`line ${line + 1} of ${name} is blank: put the cursor on a data row.`);
    case 'no-header':
      throw new Error(`${name} is empty: a CSV input needs a header and a data row.`);
    case 'malformed':
      throw new Error(`row ${found.row} (line ${found.line}) of ${name} ${found.reason}`);
    case 'row': {
      const text = (range: [number, number]) => doc.getText(new vscode.Range(range[0] - 1, 0, range[1] - 1, Number.MAX_SAFE_INTEGER));
      return { file: path.resolve(doc.uri.fsPath), row: found.row, line: found.lines[0], header: found.header, cells: found.cells, text: `${text(found.headerLines)}\n${text(found.lines)}\n` };
    }
  }
}

/** Throws an Error naming the first cell (or missing column) that keeps the row from being the model's input. */
export function checkRow(row: EditorRow, model: CatalogModel): void {
  const problem = rowProblem(model, row.header, row.cells);
  if (problem) throw new Error(`row ${row.row} (line ${row.line}) of ${path.basename(row.file)} is not an input of ${vscode.workspace.asRelativePath(model.modelPath)}: ${problem}.`);
}

/** Writes the row (header and row) to the scratch folder; returns the file. */
export async function writeRow(scratch: vscode.Uri, row: EditorRow): Promise<string> {
  // Named by its text too: a kept run's scratch file stays that run's row (Copy reads it again).
  return write(scratch, `${path.basename(row.file, path.extname(row.file))}-row${row.row}-${hash(row.text)}${path.extname(row.file)}`, row.text);
}

/** Writes selected text to the scratch folder (named by its hash); returns the file. */
export async function writeSelection(scratch: vscode.Uri, text: string): Promise<string> {
  return write(scratch, `selection-${hash(text)}.txt`, text);
}

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

async function write(scratch: vscode.Uri, name: string, text: string): Promise<string> {
  await vscode.workspace.fs.createDirectory(scratch);
  const file = vscode.Uri.joinPath(scratch, name);
  await vscode.workspace.fs.writeFile(file, Buffer.from(text, 'utf8'));
  return path.resolve(file.fsPath);
}
