/** A tiny element builder: text always goes through textContent, so nothing from a model is parsed as HTML. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  append(el, children);
  return el;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatShape(shape: (number | null)[]): string {
  return `[${shape.map((d) => d ?? '?').join(', ')}]`;
}

/** `digits` significant digits (default 3); exponent form for very small or large magnitudes. */
export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(digits - 1);
  const text = v.toPrecision(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

let workspaceFolders: string[] = [];

/** The host's workspace folders (sent when the panel loads), for relativePath. */
export function setWorkspaceFolders(folders: string[]): void {
  workspaceFolders = folders.map((f) => f.replace(/[\\/]+$/, ''));
}

/** A path relative to the workspace folder that holds it ("mnist-cnn/data/train"), else as given. */
export function relativePath(p: string): string {
  for (const folder of workspaceFolders) {
    if (p === folder) return '.';
    if (p.startsWith(folder) && (p[folder.length] === '/' || p[folder.length] === '\\')) return p.slice(folder.length + 1);
  }
  return p;
}
