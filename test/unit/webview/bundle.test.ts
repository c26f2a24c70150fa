/**
 * The webview runs under a strict Content-Security-Policy: scripts by nonce only, no
 * 'unsafe-eval'. The bundled panel (Chart.js included) must not need eval: the only dynamic-code
 * construct in it is the UI toolkit's globalThis fallback, behind `typeof self/window` checks a
 * webview always passes. (dist/ is built by `npm test` before the unit tests.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '../../../..');

describe('webview bundle under the CSP', () => {
  it("needs no eval: the shell's CSP has no 'unsafe-eval', and the bundle calls none (Chart.js included)", function () {
    const bundle = path.join(ROOT, 'dist', 'webview', 'webview.js');
    if (!fs.existsSync(bundle)) this.skip();
    const shell = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'panel', 'webviewHtml.ts'), 'utf8');
    assert.match(shell, /script-src 'nonce-\$\{nonce\}'/);
    assert.doesNotMatch(shell, /unsafe-eval/);
    const code = fs.readFileSync(bundle, 'utf8');
    assert.match(code, /lensErrorBars/, 'the chart module is not in the bundle');
    assert.match(code, /class Chart\b|var Chart\b/, 'Chart.js is not in the bundle');
    const dynamic = [...code.matchAll(/\beval\(|new Function\(/g)].map((m) => code.slice(Math.max(0, m.index! - 200), m.index! + 40));
    assert.strictEqual(dynamic.length, 1, `dynamic code in the bundle:\n${dynamic.join('\n---\n')}`);
    assert.match(dynamic[0], /typeof self !== "undefined"[\s\S]*typeof window !== "undefined"[\s\S]*try \{\s*return new Function\("return this"\)\(\)/, 'not the guarded globalThis fallback');
  });
});
