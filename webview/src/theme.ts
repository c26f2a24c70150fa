/**
 * The editor's colour theme as the panel's drawings need it: VS Code sets its theme colours as
 * CSS variables on the webview's <html> and the theme kind as a class on <body>, and changes both
 * when the user switches themes. Canvas drawings (charts, exported pictures) read the colours here
 * and redraw on onThemeChange; everything styled by CSS follows by itself.
 */

export interface ThemeColors {
  foreground: string;
  /** Secondary text (axis titles, notes). */
  muted: string;
  background: string;
  /** Borders and axis lines. */
  border: string;
  /** Grid lines: the foreground, faint. */
  grid: string;
  fontFamily: string;
  /** In pixels. */
  fontSize: number;
  /** Series colours, from the theme's chart palette (charts.*). */
  series: Record<SeriesColor, string>;
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
}

export type SeriesColor = 'blue' | 'red' | 'green' | 'orange' | 'purple' | 'yellow' | 'foreground';

/** Used where a variable is missing (a webview opened outside VS Code, tests): Dark Modern's values. */
const FALLBACK = {
  foreground: '#cccccc',
  muted: '#9d9d9d',
  background: '#1f1f1f',
  border: '#454545',
  blue: '#3794ff',
  red: '#f14c4c',
  green: '#89d185',
  orange: '#d18616',
  purple: '#b180d7',
  yellow: '#cca700',
};

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function themeColors(): ThemeColors {
  const style = getComputedStyle(document.documentElement);
  const foreground = cssVar(style, '--vscode-foreground', FALLBACK.foreground);
  const fontSize = parseFloat(cssVar(style, '--vscode-font-size', '13px')) || 13;
  return {
    foreground,
    muted: cssVar(style, '--vscode-descriptionForeground', FALLBACK.muted),
    background: cssVar(style, '--vscode-editor-background', FALLBACK.background),
    border: cssVar(style, '--vscode-widget-border', cssVar(style, '--vscode-editorGroup-border', FALLBACK.border)),
    grid: withAlpha(foreground, 0.15),
    fontFamily: cssVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
    fontSize,
    series: {
      blue: cssVar(style, '--vscode-charts-blue', FALLBACK.blue),
      red: cssVar(style, '--vscode-charts-red', FALLBACK.red),
      green: cssVar(style, '--vscode-charts-green', FALLBACK.green),
      orange: cssVar(style, '--vscode-charts-orange', FALLBACK.orange),
      purple: cssVar(style, '--vscode-charts-purple', FALLBACK.purple),
      yellow: cssVar(style, '--vscode-charts-yellow', FALLBACK.yellow),
      foreground,
    },
    kind: themeKind(),
  };
}

function themeKind(): ThemeColors['kind'] {
  const kind = document.body.dataset.vscodeThemeKind ?? document.body.className;
  if (/high-contrast-light/.test(kind)) return 'high-contrast-light';
  if (/high-contrast/.test(kind)) return 'high-contrast';
  return /light/.test(kind) ? 'light' : 'dark';
}

/** A CSS colour (#rgb, #rrggbb, #rrggbbaa or rgb()/rgba()) with its alpha multiplied by `alpha`. */
export function withAlpha(color: string, alpha: number): string {
  const rgba = parseColor(color);
  return rgba ? `rgba(${rgba[0]}, ${rgba[1]}, ${rgba[2]}, ${(rgba[3] * alpha).toFixed(3)})` : color;
}

/** [r, g, b, a] (0..255, 0..1) of a hex or rgb()/rgba() colour; null for anything else (named colours). */
export function parseColor(color: string): [number, number, number, number] | null {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const full = hex.length <= 4 ? [...hex].map((d) => d + d).join('') : hex;
    const n = (i: number) => parseInt(full.slice(2 * i, 2 * i + 2), 16);
    return [n(0), n(1), n(2), full.length === 8 ? n(3) / 255 : 1];
  }
  const fn = /^rgba?\(([^)]+)\)$/i.exec(c)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter(Boolean).map(Number);
    if (parts.length >= 3 && parts.slice(0, 3).every(Number.isFinite)) return [parts[0], parts[1], parts[2], Number.isFinite(parts[3]) ? parts[3] : 1];
  }
  return null;
}

const listeners = new Set<() => void>();
let observer: MutationObserver | undefined;

/** Calls `listener` after every theme change (at most once per frame); returns a function that stops it. */
export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  if (!observer) {
    let pending = false;
    observer = new MutationObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        listeners.forEach((l) => l());
      });
    });
    // VS Code rewrites <html>'s style (the variables) and <body>'s class and data-vscode-theme-kind.
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  }
  return () => listeners.delete(listener);
}
