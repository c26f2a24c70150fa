/**
 * HiGHS (the `highs` package: the HiGHS LP/MILP solver compiled to WebAssembly), loaded once per
 * process. Its loader looks for highs.wasm beside its own script, which esbuild inlines into
 * dist/engine.js and dist/cli.js: the build copies highs.wasm into dist/ (esbuild.js), and the
 * .vsix ships dist/. Compiled for tests (out/), the package's own copy is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Highs } from 'highs';
import { LensError } from '../errors';

export type { Highs } from 'highs';

// require, not import: esbuild would bundle the package's ES module build for an import, whose
// import.meta.url is empty in a CommonJS bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadHighs = require('highs') as typeof import('highs').default;

let loading: Promise<Highs> | null = null;

/** The highs.wasm this process uses: beside the bundle, else the installed package's. */
export function highsWasmPath(): string {
  const beside = path.join(__dirname, 'highs.wasm');
  return fs.existsSync(beside) ? beside : require.resolve('highs/runtime');
}

/** The solver, started on first use. */
export function highsSolver(): Promise<Highs> {
  loading ??= Promise.resolve()
    .then(() => loadHighs({ wasmBinary: fs.readFileSync(highsWasmPath()) }))
    .catch((err: unknown) => {
      loading = null;
      throw new LensError('INTERNAL', `The linear-programming solver (HiGHS) could not start: ${(err as Error).message}`);
    });
  return loading;
}
