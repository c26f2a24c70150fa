/** JSON formatting for the files the example scripts write. */
import * as fs from 'fs';

/** JSON with 2-space indentation, arrays of numbers/strings kept on one line, and a final newline. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`) + '\n';
}

/** Writes `value` to `file` as {@link prettyJson}. */
export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, prettyJson(value));
}

/** JSON where every object or array whose compact form fits in `width` characters stays on one line. */
export function lineJson(value: unknown, indent = '', width = 200): string {
  const compact = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || compact.length + indent.length <= width) return compact;
  const inner = indent + '  ';
  const items = Array.isArray(value)
    ? value.map((v) => inner + lineJson(v, inner, width))
    : Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${lineJson(v, inner, width)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}
