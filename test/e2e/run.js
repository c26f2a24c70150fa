#!/usr/bin/env node
// End-to-end tests: packages the extension (.vsix, like a user would get it), installs it into a
// fresh code-server extensions dir, opens examples/ in code-server and drives the workbench with
// headless Debian chromium (playwright-core). Builds nothing: run `npm run build` first.
//
//   node test/e2e/run.js [--extension DIR] [--workspace DIR] [--dev]
//     --dev  load the extension from its folder (workbench payload) instead of installing a .vsix
//   env: MODEL_LENS_RUN_TIMEOUT_MS (default 600000), MODEL_LENS_VSIX_DEPENDENCIES=1|0 (force
//        including/excluding node_modules in the .vsix; default: as the `package` script does),
//        MODEL_LENS_E2E_STEPS=<regex> (only the steps whose name matches, after the workbench loads)
// Screenshots: test-results/open-model.png (+ open-model-webview.png), saliency.png (+ saliency-webview.png,
// saliency-gradcam-webview.png), hover.png, compare-grid.png, history.png, deletion-curve.png,
// text-inline.png, influence-iris-half.png, theme-dark.png, export.png, influence-gallery.png
// (+ influence.png, influence-suspicious.png), concepts-form.png, concepts-tcav.png, concepts-probes.png,
// icl-compare.png (+ icl-summary.png, icl.png, icl-dark.png), counterfactual-tabular.png,
// counterfactual-image.png, counterfactual-text.png; e2e-failure.png on failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const cs = require('../../scripts/codeServer');
const { steps, visibleErrors } = require('./openModel.e2e');
const explain = require('./explain.e2e');
const influence = require('./influence.e2e');
const panel = require('./panel.e2e');
const concepts = require('./concepts.e2e');
const icl = require('./icl.e2e');
const counterfactuals = require('./counterfactuals.e2e');

const ROOT = cs.ROOT;
const RESULTS = path.join(ROOT, 'test-results');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

/** Same dependency policy as the repo's `package` script, unless overridden. */
function vsixDependencies(extensionDir) {
  const env = process.env.MODEL_LENS_VSIX_DEPENDENCIES;
  if (env === '1' || env === '0') return env === '1';
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  return !/--no-dependencies/.test((manifest.scripts && manifest.scripts.package) || '');
}

async function runE2E({ extensionDir = ROOT, workspace = path.join(ROOT, 'examples'), dev = false } = {}) {
  const t0 = Date.now();
  const secs = (t = t0) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  // The influence steps rank 6000 training digits (about 100 s on wasm the first time).
  const timeoutMs = Number(process.env.MODEL_LENS_RUN_TIMEOUT_MS) || 600_000;
  cs.mkdirp(RESULTS);
  const screenshots = [
    'open-model.png',
    'open-model-webview.png',
    'saliency.png',
    'saliency-webview.png',
    'saliency-gradcam-webview.png',
    'saliency-tabular-webview.png',
    'saliency-target-webview.png',
    'saliency-revived-webview.png',
    'hover.png',
    ...panel.SCREENSHOTS,
    ...influence.SCREENSHOTS,
    ...concepts.SCREENSHOTS,
    ...icl.SCREENSHOTS,
    ...counterfactuals.SCREENSHOTS,
    'e2e-failure.png',
  ];
  for (const f of screenshots) cs.rmrf(path.join(RESULTS, f));
  if (!fs.existsSync(workspace)) throw new Error(`workspace folder ${workspace} does not exist`);

  await cs.ensureCodeServer();
  const runDir = cs.scratchDir('runs', 'e2e');
  // The extensions dir lies OUTSIDE the repo: under .cache/ the installed extension would resolve
  // missing modules from the repo's node_modules (Node walks up the folders) and hide a .vsix that
  // lacks its runtime dependencies.
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-e2e-extensions-'));
  const userDataDir = cs.mkdirp(path.join(runDir, 'user-data'));
  if (!dev) {
    let t = Date.now();
    const deps = vsixDependencies(extensionDir);
    const vsix = cs.packageVsix({
      extensionDir,
      out: path.join(cs.CACHE, extensionDir === ROOT ? 'model-lens.vsix' : 'e2e-extension.vsix'),
      dependencies: deps,
    });
    const mb = (fs.statSync(vsix).size / 1e6).toFixed(1);
    console.log(`[e2e] packaged ${path.relative(ROOT, vsix)} (${mb} MB, ${deps ? 'with' : 'without'} node_modules) in ${secs(t)}` +
      (Date.now() - t < 1000 ? ' (unchanged inputs: reused; MODEL_LENS_REPACKAGE=1 forces)' : ''));
    t = Date.now();
    const res = cs.installVsix(vsix, { extensionsDir, userDataDir, runDir });
    const installed = fs.readdirSync(extensionsDir).filter((d) => !d.startsWith('.') && d !== 'extensions.json');
    console.log(`[e2e] installed ${installed.join(', ') || '(nothing?)'} in ${secs(t)}`);
    if (!installed.length) throw new Error(`--install-extension installed nothing:\n${res.stdout}\n${res.stderr}`);
  }

  let server;
  let context;
  let page;
  let passed = 0;
  let failed = 0;
  let timer;
  let shared;
  try {
    // Workspace trust off: its modal dialog would sit in front of the command palette.
    server = await cs.startCodeServer({ workspace, extensionsDir, userDataDir, runDir, disableWorkspaceTrust: true, settings: cs.TEST_SETTINGS, name: 'e2e' });
    console.log(`[e2e] code-server up at ${server.url} (${secs()})`);
    context = await cs.launchBrowser({ viewport: { width: 1600, height: 1000 } });
    page = context.pages()[0] || (await context.newPage());
    const url = cs.workbenchUrl(server, dev ? { folder: workspace, extensionDevelopmentPath: extensionDir } : { folder: workspace });

    const opening = steps({ resultsDir: RESULTS });
    shared = opening[0].state;
    const only = process.env.MODEL_LENS_E2E_STEPS ? new RegExp(process.env.MODEL_LENS_E2E_STEPS) : undefined;
    const list = [
      ...opening,
      ...explain.steps({ resultsDir: RESULTS, shared, workspace }),
      ...panel.steps({ resultsDir: RESULTS, shared, workspace }),
      ...influence.steps({ resultsDir: RESULTS, shared }),
      ...concepts.steps({ resultsDir: RESULTS, shared }),
      ...icl.steps({ resultsDir: RESULTS, shared }),
      ...counterfactuals.steps({ resultsDir: RESULTS, shared }),
    ].filter((step, i) => !only || i === 0 || only.test(step.name));
    let timedOut = false;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => resolve((timedOut = true)), Math.max(10_000, timeoutMs - (Date.now() - t0)));
    });
    let broken = false;
    for (const step of list) {
      if (timedOut || broken) {
        failed++;
        console.log(`  ✘ ${step.name} (skipped: ${timedOut ? 'time is up' : 'an earlier step failed'})`);
        continue;
      }
      const ts = Date.now();
      try {
        await Promise.race([
          step.run({ page, url, server }),
          deadline.then(() => {
            throw new Error(`TIMEOUT: the e2e run exceeded ${timeoutMs / 1000} s (MODEL_LENS_RUN_TIMEOUT_MS)`);
          }),
        ]);
        passed++;
        console.log(`  ✔ ${step.name} (${secs(ts)})`);
      } catch (err) {
        failed++;
        broken = true;
        console.log(`  ✘ ${step.name} (${secs(ts)})\n      ${String(err.message || err).split('\n').join('\n      ')}`);
        for (const e of await visibleErrors(page).catch(() => [])) console.log(`      workbench shows ${e}`);
        await page.screenshot({ path: path.join(RESULTS, 'e2e-failure.png') }).catch(() => undefined);
        console.log(`      screenshot: ${path.relative(ROOT, path.join(RESULTS, 'e2e-failure.png'))}`);
      }
    }
    const st = list[0].state;
    if (st.pickLabels) console.log(`[e2e] quick pick offered: ${st.pickLabels.map((l) => l.split('\n')[0]).join(', ')}`);
    if (st.params) console.log(`[e2e] summary: params=${st.params} backend=${st.backend} status bar=${JSON.stringify(st.statusBar)}`);
    if (st.layers) console.log(`[e2e] layers-table: ${st.layers.length} rows, first: ${st.layers.slice(0, 3).join('; ')}`);
    if (st.gradCam) console.log(`[e2e] Grad-CAM: ${JSON.stringify(st.gradCam)}`);
    if (st.ig) console.log(`[e2e] Integrated Gradients: ${JSON.stringify(st.ig)}`);
    if (st.targetRuns) console.log(`[e2e] target 9 then predicted class: ${JSON.stringify(st.targetRuns)}`);
    if (st.revived) console.log(`[e2e] after a window reload: ${JSON.stringify(st.revived)}`);
    if (st.hover) console.log(`[e2e] hover: ${st.hover}`);
    if (st.inputPickLabels) console.log(`[e2e] Explain Input… offered: ${st.inputPickLabels.slice(0, 8).join(' | ')}`);
    if (st.tabular) console.log(`[e2e] iris-mlp: ${JSON.stringify(st.tabular)}`);
    for (const key of ['exported', 'keyboard', 'scrolled', 'compare', 'history', 'gradCamZero', 'deletion', 'text', 'iris', 'theme', 'reloadedHistory']) {
      if (st[key] !== undefined) console.log(`[e2e] ${key}: ${JSON.stringify(st[key])}`);
    }
    if (st.influence) console.log(`[e2e] influence: ${JSON.stringify(st.influence)}; opened ${st.openedExample}; ${st.suspicious} suspicious examples`);
    if (st.concepts) console.log(`[e2e] concepts: ${JSON.stringify(st.concepts)}; probes ${JSON.stringify(st.probes)}`);
    if (st.icl) console.log(`[e2e] icl: ${JSON.stringify(st.icl)}; ${st.iclContrast} texts checked in the dark theme`);
    for (const key of ['counterfactualTabular', 'counterfactualImage', 'counterfactualText']) if (st[key]) console.log(`[e2e] ${key}: ${JSON.stringify(st[key])}`);
    if (failed) {
      const log = path.join(runDir, 'code-server.log');
      console.log(`[e2e] code-server log: ${path.relative(ROOT, log)}; VS Code logs under ${path.relative(ROOT, userDataDir)}/logs`);
    } else {
      console.log(`[e2e] screenshots: ${screenshots.slice(0, -1).map((f) => `test-results/${f}`).join(', ')}`);
    }
  } finally {
    clearTimeout(timer);
    if (shared && shared.cleanup) shared.cleanup(); // the source file the hover step wrote
    if (context) await context.close().catch(() => undefined);
    if (server) await server.stop();
    cs.rmrf(extensionsDir);
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  console.log(`[e2e] finished in ${secs()}`);
  return failed ? 1 : 0;
}

module.exports = { runE2E };

if (require.main === module) {
  runE2E({
    extensionDir: arg('extension', ROOT),
    workspace: arg('workspace', path.join(ROOT, 'examples')),
    dev: process.argv.includes('--dev'),
  }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[e2e] FAILED: ${err.message}`);
      console.log('e2e: 0 passed, 1 failed');
      process.exit(1);
    },
  );
}
