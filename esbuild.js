// Bundles the five programs into dist/: extension host glue, engine process, its gradient helper, CLI and webview.
// tfjs stays external in node bundles so an installed @tensorflow/tfjs-node registers its
// backend on the same tfjs-core instance, and the wasm backend finds its .wasm files.
// The LP solver (highs) is bundled; its highs.wasm is copied beside the bundles, where the engine
// looks for it first (src/engine/counterfactuals/highs.ts), and ships in the .vsix with dist/.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // 'highs/runtime' is only require.resolve'd, as the fallback outside bundles.
  external: ['vscode', '@tensorflow/*', 'highs/runtime'],
  logLevel: 'warning',
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { engine: 'src/engine/main.ts' }, outdir: 'dist' },
  // Forked by the engine (in its process or the CLI's) from beside itself: dist/helperMain.js.
  { ...nodeCommon, entryPoints: { helperMain: 'src/engine/parallel/helperMain.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: { webview: 'webview/src/main.ts' },
    outdir: 'dist/webview',
    logLevel: 'warning',
  },
];

function copyHighsWasm() {
  fs.mkdirSync('dist', { recursive: true });
  fs.copyFileSync(require.resolve('highs/runtime'), path.join('dist', 'highs.wasm'));
}

async function main() {
  copyHighsWasm();
  if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
    return;
  }
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
