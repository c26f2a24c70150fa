#!/usr/bin/env node
// Runs every test suite in order and prints one final line "N passed, N failed":
//   1. unit         mocha on out/test/unit (see .mocharc.json)
//   2. integration  the real VS Code extension host: desktop VS Code through @vscode/test-electron
//                   when one is installed (VSCODE_EXECUTABLE or `code` on PATH), else code-server
//   3. e2e          playwright-core + chromium against code-server with the packaged extension
// `npm test` builds (npm run build) and compiles the tests (npm run typecheck → out/) first.
//   node scripts/test.js [unit] [integration] [e2e]     (default: all three)
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const ALL = ['unit', 'integration', 'e2e'];

function stripAnsi(s) {
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** Runs `node args…`, streaming its output; resolves to { code, output }. */
function runNode(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    const forward = (sig) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (err) => {
      output += String(err);
      console.error(err);
    });
    child.on('close', (code, signal) => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      resolve({ code: signal ? 1 : code ?? 1, output: stripAnsi(output) });
    });
  });
}

/** Counts from "<label>: N passed, N failed" (our runners) or mocha's "N passing"/"N failing". */
function counts(output, label) {
  const ours = [...output.matchAll(new RegExp(`${label}: (\\d+) passed, (\\d+) failed`, 'g'))].pop();
  if (ours) return { passed: Number(ours[1]), failed: Number(ours[2]) };
  const passing = [...output.matchAll(/^\s*(\d+) passing\b/gm)].pop();
  const failing = [...output.matchAll(/^\s*(\d+) failing\b/gm)].pop();
  if (passing || failing) return { passed: Number(passing ? passing[1] : 0), failed: Number(failing ? failing[1] : 0) };
  return undefined;
}

function banner(text) {
  console.log(`\n${'='.repeat(8)} ${text} ${'='.repeat(Math.max(8, 70 - text.length))}`);
}

async function unit() {
  banner('unit tests (mocha, out/test/unit)');
  const mocha = require.resolve('mocha/bin/mocha.js');
  const res = await runNode([mocha]);
  if (/No test files found/i.test(res.output) && !fs.existsSync(path.join(ROOT, 'out', 'test', 'unit'))) {
    console.log('unit: no compiled unit tests in out/test/unit (skipped)');
    return { passed: 0, failed: 0, note: 'none found' };
  }
  return finish('unit', res);
}

async function integration() {
  const { findDesktopVSCode } = require('../test/integration/runInElectron');
  const found = findDesktopVSCode();
  if (found.executable) {
    banner(`integration tests (desktop VS Code: ${found.executable})`);
    return finish('integration', await runNode([path.join(ROOT, 'test/integration/runInElectron.js')]), 'electron');
  }
  banner('integration tests (code-server + chromium)');
  console.log(`(desktop VS Code not used: ${found.reason})`);
  return finish('integration', await runNode([path.join(ROOT, 'test/integration/runInCodeServer.js')]), 'code-server');
}

async function e2e() {
  banner('end-to-end tests (code-server + chromium, installed .vsix)');
  return finish('e2e', await runNode([path.join(ROOT, 'test/e2e/run.js')]));
}

function finish(label, res, note) {
  const found = counts(res.output, label);
  let c = found || { passed: 0, failed: 0 };
  // A runner that failed without any failing test (crash, timeout, missing prerequisite) still fails,
  // and so does one that exits 0 without reporting any result.
  if (res.code !== 0 && c.failed === 0) c = { passed: c.passed, failed: 1, note: `exit code ${res.code}` };
  else if (!found) c = { passed: 0, failed: 1, note: 'no test results reported' };
  return { ...c, note: note && c.note ? `${note}, ${c.note}` : note || c.note };
}

async function main() {
  const wanted = process.argv.slice(2).filter((a) => ALL.includes(a));
  const suites = wanted.length ? wanted : ALL;
  const runners = { unit, integration, e2e };
  const results = [];
  const t0 = Date.now();
  for (const name of suites) {
    const t = Date.now();
    let r;
    try {
      r = await runners[name]();
    } catch (err) {
      console.error(`${name}: ${err.stack || err}`);
      r = { passed: 0, failed: 1, note: 'runner crashed' };
    }
    results.push({ name, ...r, seconds: (Date.now() - t) / 1000 });
  }
  banner('summary');
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(4)} failed` +
        `  ${r.seconds.toFixed(1)} s${r.note ? `  (${r.note})` : ''}`,
    );
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`  total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main();
