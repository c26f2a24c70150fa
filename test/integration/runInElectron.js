#!/usr/bin/env node
// Runs the integration suite (out/test/integration/suite/index.js) in a desktop VS Code through
// @vscode/test-electron, when one is installed locally: $VSCODE_EXECUTABLE, or `code` on PATH
// resolved to its executable. Never downloads VS Code (this project must work offline); without a
// desktop VS Code it prints why it is skipped and exits 0 (scripts/test.js then uses code-server).
// Builds nothing: `npm test` builds first.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const cs = require('../../scripts/codeServer');

const ROOT = cs.ROOT;

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** From the `code` launcher script to the Electron executable next to it, per platform layout. */
function executableFromCli(cli) {
  const real = fs.realpathSync(cli);
  if (/remote-cli|\.vscode-server|code-server/.test(real)) return undefined; // a remote/server CLI, no desktop
  const binDir = path.dirname(real);
  const candidates =
    process.platform === 'darwin'
      ? [path.resolve(binDir, '../../../../MacOS/Electron'), path.resolve(binDir, '../../../../MacOS/Code')]
      : process.platform === 'win32'
        ? [path.resolve(binDir, '../Code.exe'), path.resolve(binDir, '../Code - Insiders.exe')]
        : [path.resolve(binDir, '../code'), path.resolve(binDir, '../code-insiders'), path.resolve(binDir, '../codium')];
  return candidates.find(isExecutable);
}

/** { executable } when a desktop VS Code can run the tests here, else { reason }. */
function findDesktopVSCode() {
  let executable;
  if (process.env.VSCODE_EXECUTABLE) {
    executable = path.resolve(process.env.VSCODE_EXECUTABLE);
    if (!isExecutable(executable)) return { reason: `VSCODE_EXECUTABLE=${executable} is not an executable file` };
  } else {
    const cli = cs.which(process.platform === 'win32' ? 'code.cmd' : 'code');
    if (!cli) return { reason: 'no desktop VS Code: VSCODE_EXECUTABLE is not set and `code` is not on PATH' };
    executable = executableFromCli(cli);
    if (!executable) return { reason: `\`code\` on PATH (${cli}) does not lead to a desktop VS Code executable` };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !cs.which('Xvfb')) {
    return { reason: `found ${executable}, but there is no display (DISPLAY unset) and no Xvfb to make one (apt-get install xvfb)` };
  }
  return { executable };
}

/** Starts Xvfb on a free display when Linux has none; returns { env, stop }. */
async function ensureDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { env: {}, stop() {} };
  const display = `:${90 + Math.floor(Math.random() * 400)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore', detached: true });
  await cs.sleep(1000);
  return {
    env: { DISPLAY: display },
    stop() {
      try {
        process.kill(-xvfb.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

async function runInElectron({
  executable,
  extensionDevelopmentPath = ROOT,
  extensionTestsPath = path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js'),
  workspace = path.join(ROOT, 'examples'),
} = {}) {
  if (!fs.existsSync(extensionTestsPath)) {
    throw new Error(`${path.relative(ROOT, extensionTestsPath)} does not exist: run \`npx tsc -p .\` (or npm test) first`);
  }
  const { runTests } = require('@vscode/test-electron');
  const runDir = cs.scratchDir('runs', 'electron');
  const display = await ensureDisplay();
  // runTests spawns VS Code with { ...process.env, ...extensionTestsEnv }; undefined drops a variable
  // (a parent VS Code's IPC hook would hand the launch over to that window instead).
  const env = { ...display.env };
  for (const k of Object.keys(process.env)) if (/^(VSCODE_(IPC|CWD|PID|NLS|HANDLES|CRASH)|ELECTRON_RUN_AS_NODE)/.test(k)) env[k] = undefined;
  console.log(`[integration] desktop VS Code: ${executable}`);
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath,
      extensionTestsPath,
      extensionTestsEnv: env,
      launchArgs: [
        workspace,
        '--disable-workspace-trust',
        '--disable-extensions', // other installed extensions; the one under development still loads
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
        '--no-sandbox',
        `--user-data-dir=${path.join(runDir, 'user-data')}`,
        `--extensions-dir=${path.join(runDir, 'extensions')}`,
      ],
    });
  } catch (err) {
    // runTests rejects on a non-zero exit (TestRunFailedError): the suite already printed its summary.
    if (typeof err.code === 'number') return err.code || 1;
    throw err;
  } finally {
    display.stop();
  }
}

module.exports = { findDesktopVSCode, runInElectron };

if (require.main === module) {
  const found = findDesktopVSCode();
  if (!found.executable) {
    console.log(`[integration] electron runner skipped: ${found.reason}`);
    console.log('[integration] (node test/integration/runInCodeServer.js runs the same suite in code-server)');
    process.exit(0);
  }
  runInElectron({ executable: found.executable }).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[integration] FAILED: ${err.message}`);
      console.log('integration: 0 passed, 1 failed');
      process.exit(1);
    },
  );
}
