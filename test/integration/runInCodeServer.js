#!/usr/bin/env node
// Runs the integration suite (out/test/integration/suite/index.js) inside a REAL VS Code extension
// host: code-server 4.100.3 (VS Code 1.100.3) on 127.0.0.1, driven by headless Debian chromium.
// The workbench URL carries a `payload` with extensionDevelopmentPath/extensionTestsPath; the
// workbench calls window.codeAutomationExit(code) when the suite's run() settles.
// Builds nothing: `npm test` builds first (or run `npm run build && npx tsc -p .`).
//
//   node test/integration/runInCodeServer.js [--extension DIR] [--tests ENTRY.js] [--workspace DIR]
//   env: MODEL_LENS_RUN_TIMEOUT_MS (default 300000), MODEL_LENS_VERBOSE=1 (relay all workbench logs)
'use strict';

const fs = require('fs');
const path = require('path');
const cs = require('../../scripts/codeServer');

const ROOT = cs.ROOT;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

async function runIntegration({
  extensionDevelopmentPath = ROOT,
  extensionTestsPath = path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js'),
  workspace = path.join(ROOT, 'examples'),
  timeoutMs = Number(process.env.MODEL_LENS_RUN_TIMEOUT_MS) || 300_000,
  verbose = !!process.env.MODEL_LENS_VERBOSE,
  resultsDir = path.join(ROOT, 'test-results'),
} = {}) {
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  if (!fs.existsSync(extensionTestsPath)) {
    throw new Error(`${path.relative(ROOT, extensionTestsPath)} does not exist: run \`npx tsc -p .\` (or npm test) first`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDevelopmentPath, 'package.json'), 'utf8'));
  const main = manifest.main && path.join(extensionDevelopmentPath, manifest.main);
  if (main && !fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
    throw new Error(`${path.relative(ROOT, main)} does not exist: run \`npm run build\` first`);
  }
  if (!fs.existsSync(workspace)) throw new Error(`workspace folder ${workspace} does not exist`);
  cs.rmrf(path.join(resultsDir, 'integration-logs')); // leftovers of an earlier failed run
  cs.rmrf(path.join(resultsDir, 'integration-timeout.png'));

  await cs.ensureCodeServer();
  console.log(`[integration] starting code-server on ${path.relative(ROOT, workspace) || '.'} ...`);
  let server;
  let context;
  let timer;
  try {
    server = await cs.startCodeServer({ workspace, disableWorkspaceTrust: true, settings: cs.TEST_SETTINGS, name: 'integration' });
    console.log(`[integration] code-server up at ${server.url} (${secs()})`);
    context = await cs.launchBrowser();

    let settle;
    const exited = new Promise((resolve) => (settle = resolve));
    await context.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
      relay(type, text, verbose);
    });
    await context.exposeFunction('codeAutomationExit', (code, logs) => {
      settle({ code: typeof code === 'number' ? code : 1, logs });
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (err) => verbose && console.log(`[browser] pageerror: ${err.message}`));
    page.on('crash', () => settle({ code: 1, crashed: 'the workbench page crashed' }));

    const url = cs.workbenchUrl(server, { folder: workspace, extensionDevelopmentPath, extensionTestsPath });
    timer = setTimeout(
      () => settle({ code: 1, timedOut: true }),
      Math.max(10_000, timeoutMs - (Date.now() - t0)),
    );
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const result = await exited;
    clearTimeout(timer);

    if (result.timedOut) {
      console.error(
        `[integration] TIMEOUT: the tests did not finish within ${timeoutMs / 1000} s ` +
          `(set MODEL_LENS_RUN_TIMEOUT_MS to change). Screenshot: test-results/integration-timeout.png`,
      );
      cs.mkdirp(resultsDir);
      await page.screenshot({ path: path.join(resultsDir, 'integration-timeout.png') }).catch(() => undefined);
      ensureSummary(true);
    } else if (result.crashed) {
      console.error(`[integration] ${result.crashed}`);
      ensureSummary(true);
    }
    if (result.code !== 0 && Array.isArray(result.logs)) {
      const dir = cs.mkdirp(path.join(resultsDir, 'integration-logs'));
      for (const { relativePath, contents } of result.logs) {
        const p = path.join(dir, relativePath);
        cs.mkdirp(path.dirname(p));
        fs.writeFileSync(p, contents);
      }
      console.error(`[integration] VS Code logs saved in ${path.relative(ROOT, dir)}/`);
    }
    ensureSummary(result.code !== 0);
    console.log(`[integration] finished with exit code ${result.code} in ${secs()}`);
    return result.code;
  } finally {
    clearTimeout(timer);
    if (context) await context.close().catch(() => undefined);
    if (server) await server.stop();
  }
}

// The suite prints "integration: N passed, N failed"; make sure some such line exists even when it never ran.
let sawSummary = false;
function ensureSummary(failed) {
  if (!sawSummary && failed) {
    sawSummary = true;
    console.log('integration: 0 passed, 1 failed');
  }
}

// The workbench relays its own log lines and the extension host's console output (the test
// output) alike, without telling them apart. Drop the workbench's known chatter unless verbose.
const NOISE = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /^Started local extension host/,
  /^\[driver\]/,
  /^Creation of workbench contribution '.*' took \d+ms\.?$/,
  /^Extension host .* (started|is running)/i,
  /Settings Sync/,
  /gallery|marketplace/i,
];
function relay(type, text, verbose) {
  for (let line of String(text).split('\n')) {
    if (/integration: \d+ passed, \d+ failed/.test(line)) {
      sawSummary = true;
      line = line.slice(line.indexOf('integration:'));
    }
    if (verbose) console.log(`[${type}] ${line}`);
    else if (!NOISE.some((re) => re.test(line.trim()))) console.log(type === 'error' ? `[error] ${line}` : line);
  }
}

module.exports = { runIntegration };

if (require.main === module) {
  const started = Date.now();
  runIntegration({
    extensionDevelopmentPath: arg('extension', ROOT),
    extensionTestsPath: arg('tests', path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js')),
    workspace: arg('workspace', path.join(ROOT, 'examples')),
  }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[integration] FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${err.message}`);
      ensureSummary(true);
      process.exit(1);
    },
  );
}
