// Shared helpers to run a real VS Code (code-server 4.100.3, i.e. VS Code 1.100.3) offline:
// install it into .cache/code-server, package/install the extension, start/stop a server,
// and launch Debian's chromium through playwright-core. Used by scripts/start.js,
// test/integration/runInCodeServer.js and test/e2e/run.js.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const { spawn, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache');
const CODE_SERVER_VERSION = '4.100.3';
const CODE_SERVER_DIR = path.join(CACHE, 'code-server');
const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const READY_MARKER = path.join(CODE_SERVER_DIR, `.installed-${CODE_SERVER_VERSION}`);
// @vscode/ripgrep (a dependency of code-server) downloads rg from GitHub unless its cache has it.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function log(...args) {
  console.log('[code-server]', ...args);
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function mkdirp(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
}

/** A fresh scratch folder under .cache/<group>/ (keeps the newest `keep` of that group). */
function scratchDir(group, name, keep = 8) {
  const parent = mkdirp(path.join(CACHE, group));
  try {
    const old = fs
      .readdirSync(parent)
      .filter((d) => d.startsWith(`${name}-`))
      .map((d) => ({ d, t: fs.statSync(path.join(parent, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(keep - 1);
    for (const { d } of old) rmrf(path.join(parent, d));
  } catch {
    /* best effort */
  }
  return mkdirp(path.join(parent, `${name}-${process.pid}-${Date.now().toString(36)}`));
}

/** Names of the Debian packages that installing code-server (and driving it) needs but are missing. */
function missingPackages({ browser = false } = {}) {
  const missing = [];
  if (!which('rg') && !fs.existsSync('/usr/bin/rg')) missing.push('ripgrep');
  if (!which('pkg-config')) missing.push('pkg-config');
  const krb5 = spawnSync('pkg-config', ['--exists', 'krb5-gssapi'], { stdio: 'ignore' });
  if (krb5.status !== 0 && !fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!which('make') || !which('g++') || !which('gcc')) missing.push('build-essential');
  if (browser && !fs.existsSync(CHROMIUM)) missing.push('chromium');
  return missing;
}

function assertPackages(opts) {
  const missing = missingPackages(opts);
  if (missing.length) {
    throw new Error(
      `Missing system packages: ${missing.join(' ')}\n` +
        `  Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
}

function nodeDir() {
  // node-gyp must find the headers locally (no network): Debian's nodejs puts them in /usr/include/node.
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  if (fs.existsSync('/usr/include/node/node.h')) return '/usr';
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) return prefix;
  return undefined;
}

function isCodeServerInstalled() {
  return fs.existsSync(READY_MARKER) && fs.existsSync(CODE_SERVER_ENTRY);
}

/**
 * Installs code-server@4.100.3 into .cache/code-server (once). Resolves to the path of its
 * entry script (run it with `node <entry>`).
 */
async function ensureCodeServer({ quiet = false } = {}) {
  if (isCodeServerInstalled()) return CODE_SERVER_ENTRY;
  assertPackages();
  const started = Date.now();
  mkdirp(CACHE);
  const staging = path.join(CACHE, `code-server.staging-${process.pid}`);
  rmrf(staging);
  const tmp = mkdirp(path.join(staging, '.tmp'));
  // Pre-seed @vscode/ripgrep's download cache with Debian's rg.
  const rgSrc = which('rg') || '/usr/bin/rg';
  const rgCache = mkdirp(path.join(tmp, RIPGREP_CACHE));
  const rgPack = mkdirp(path.join(tmp, 'rg-pack'));
  fs.copyFileSync(rgSrc, path.join(rgPack, 'rg'));
  fs.chmodSync(path.join(rgPack, 'rg'), 0o755);
  const tar = spawnSync('tar', ['czf', path.join(rgCache, RIPGREP_TARBALL), '-C', rgPack, 'rg'], { stdio: 'inherit' });
  if (tar.status !== 0) throw new Error('could not build the ripgrep cache tarball (tar failed)');
  fs.writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify({ name: 'model-lens-code-server-cache', private: true, version: '0.0.0' }, null, 2),
  );
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k]; // don't inherit `npm test`'s config
  Object.assign(env, {
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  });
  const nd = nodeDir();
  if (nd) env.npm_config_nodedir = nd;
  if (!quiet) log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(ROOT, CODE_SERVER_DIR)} (one time, ~1 min)...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise((resolve) => {
    const child = spawn(
      npm,
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
      { cwd: staging, env, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'] },
    );
    child.on('exit', (c, sig) => resolve(sig ? 1 : c));
    child.on('error', (e) => {
      console.error(e);
      resolve(1);
    });
  });
  const entry = path.join(staging, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (code !== 0 || !fs.existsSync(entry)) {
    throw new Error(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${code}). It needs the npm registry and the Debian ` +
        `packages chromium libkrb5-dev pkg-config ripgrep build-essential; staging left in ${staging}`,
    );
  }
  rmrf(tmp);
  fs.writeFileSync(path.join(staging, `.installed-${CODE_SERVER_VERSION}`), new Date().toISOString() + '\n');
  try {
    if (fs.existsSync(CODE_SERVER_DIR) && !isCodeServerInstalled()) rmrf(CODE_SERVER_DIR); // half-done old copy
    fs.renameSync(staging, CODE_SERVER_DIR);
  } catch (e) {
    if (!isCodeServerInstalled()) throw e;
    rmrf(staging); // someone else finished first
  }
  if (!quiet) log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return CODE_SERVER_ENTRY;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpGetStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Environment for code-server: no gallery, scratch HOME/TMPDIR, none of a parent VS Code's variables. */
function codeServerEnv(extra, home, tmp) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    // A VS Code terminal's VSCODE_IPC_HOOK_CLI would make code-server forward to that window instead.
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|npm_)/.test(k)) delete env[k];
  }
  return { ...env, HOME: home, TMPDIR: tmp, EXTENSIONS_GALLERY: '{}', ...(extra || {}) };
}

function codeServerPaths(runDir, { userDataDir, extensionsDir } = {}) {
  return {
    home: mkdirp(path.join(runDir, 'home')),
    // TMPDIR holds code-server's IPC sockets, whose paths must stay under ~107 characters: keep it
    // short (the system temp dir) when the run dir is deep. Removed again by stop().
    tmp:
      path.join(runDir, 'tmp', 'vscode-ipc-00000000-0000-0000-0000-000000000000.sock').length < 100
        ? mkdirp(path.join(runDir, 'tmp'))
        : fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-cs-')),
    userDataDir: mkdirp(userDataDir || path.join(runDir, 'user-data')),
    extensionsDir: mkdirp(extensionsDir || path.join(runDir, 'extensions')),
  };
}

/** Runs the code-server CLI to completion (e.g. --install-extension). */
function runCodeServerCli(args, { runDir, userDataDir, extensionsDir, env } = {}) {
  const entry = CODE_SERVER_ENTRY;
  if (!fs.existsSync(entry)) throw new Error('code-server is not installed: call ensureCodeServer() first');
  runDir = runDir || scratchDir('runs', 'cli');
  const p = codeServerPaths(runDir, { userDataDir, extensionsDir });
  const res = spawnSync(
    process.execPath,
    [entry, '--extensions-dir', p.extensionsDir, '--user-data-dir', p.userDataDir, '--config', '/dev/null', ...args],
    { env: codeServerEnv(env, p.home, p.tmp), encoding: 'utf8', timeout: 180000 },
  );
  if (!p.tmp.startsWith(runDir)) rmrf(p.tmp);
  return { status: res.status, stdout: res.stdout || '', stderr: res.stderr || '', ...p };
}

/**
 * Starts code-server on 127.0.0.1 in its own process group.
 * @returns {Promise<{url: string, port: number, pid: number, runDir: string, userDataDir: string,
 *   extensionsDir: string, output: () => string, stop: () => Promise<void>}>}
 */
async function startCodeServer({
  workspace,
  extensionDir, // alias of extensionsDir: where installed extensions live
  extensionsDir,
  userDataDir,
  env,
  port,
  disableWorkspaceTrust = false,
  settings, // written to <user-data>/User/settings.json unless one exists
  runDir,
  name = 'server',
  echo = false,
  timeoutMs = 60000,
} = {}) {
  const entry = await ensureCodeServer();
  runDir = runDir || scratchDir('runs', name);
  const p = codeServerPaths(runDir, { userDataDir, extensionsDir: extensionsDir || extensionDir });
  if (settings) {
    const file = path.join(mkdirp(path.join(p.userDataDir, 'User')), 'settings.json');
    if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  }
  port = port || (await freePort());
  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir', p.userDataDir,
    '--extensions-dir', p.extensionsDir,
    '--config', '/dev/null',
  ];
  if (disableWorkspaceTrust) args.push('--disable-workspace-trust');
  if (workspace) args.push(path.resolve(workspace));
  let out = '';
  const logFile = path.join(runDir, 'code-server.log');
  const logStream = fs.createWriteStream(logFile);
  // detached: the child gets its own session/process group (setsid), so stop() can kill all of it.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: codeServerEnv(env, p.home, p.tmp),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d) => {
    const s = d.toString();
    out += s;
    if (out.length > 200000) out = out.slice(-100000);
    logStream.write(s);
    if (echo) process.stdout.write(s.replace(/^/gm, '[code-server] '));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (c, s) => resolve((exited = { code: c, signal: s }))));
  const pgid = child.pid;
  const killGroup = (sig) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* already gone */
    }
  };
  // If this process dies without calling stop(), don't leave the server behind.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup('SIGTERM');
    await Promise.race([exitPromise, sleep(5000)]);
    await sleep(200);
    killGroup('SIGKILL'); // leftovers (file watcher, extension host, ...) in the group
    process.removeListener('exit', onExit);
    if (!p.tmp.startsWith(runDir)) rmrf(p.tmp);
    await new Promise((r) => logStream.end(r));
  };

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${out.slice(-4000)}`);
    }
    if ((await httpGetStatus(`${url}healthz`)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}healthz within ${timeoutMs / 1000} s:\n${out.slice(-4000)}`);
    }
    await sleep(250);
  }
  return { url, port, pid: child.pid, runDir, ...p, logFile, output: () => out, stop };
}

/** User settings for automated runs: no welcome page, no telemetry/update/gallery chatter. */
const TEST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

/** The workbench URL for a folder, optionally with a development payload. */
function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const u = new URL(server.url);
  if (folder) u.searchParams.set('folder', path.resolve(folder));
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${encodeURI(path.resolve(p))}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (payload.length) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}

/**
 * Packages the extension (vsce 3.x, offline). Files excluded: the repo's .vscodeignore (when present)
 * plus this harness's own folders. Resolves to the .vsix path.
 */
function packageVsix({ extensionDir = ROOT, out = path.join(CACHE, 'model-lens.vsix'), dependencies = true } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(extensionDir, manifest.main || 'dist/extension.js'))) {
    throw new Error(`${manifest.main} does not exist: run \`npm run build\` first`);
  }
  mkdirp(path.dirname(out));
  const stamp = `${out}.inputs`;
  const inputs = vsixInputsStamp(extensionDir, dependencies);
  if (!process.env.MODEL_LENS_REPACKAGE && fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === inputs) {
    return out; // nothing it packs changed since the last time
  }
  rmrf(out);
  rmrf(stamp);
  const args = [require.resolve('@vscode/vsce/vsce'), 'package', '--allow-missing-repository', '--skip-license', '-o', out];
  if (!dependencies) args.push('--no-dependencies');
  if (!manifest.files) {
    const own = path.join(extensionDir, '.vscodeignore');
    const base = fs.existsSync(own)
      ? fs.readFileSync(own, 'utf8')
      : ['src/**', 'test/**', 'out/**', 'examples/**', 'bench/**', 'webview/src/**', '**/*.map', '**/*.ts', '!**/*.d.ts'].join('\n');
    const extra = ['.cache/**', 'test-results/**', '.vscode-test/**', '.ci/**', '.git/**', '**/*.vsix'];
    const ignoreFile = path.join(CACHE, 'vsix.vscodeignore');
    fs.writeFileSync(ignoreFile, `${base}\n${extra.join('\n')}\n`);
    args.push('--ignoreFile', ignoreFile);
  }
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  const res = spawnSync(process.execPath, args, { cwd: extensionDir, env, encoding: 'utf8', timeout: 300000 });
  if (res.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`vsce package failed (exit ${res.status}):\n${(res.stdout || '') + (res.stderr || '')}`.slice(-6000));
  }
  fs.writeFileSync(stamp, inputs);
  return out;
}

/** Size+mtime of what a .vsix is made from (dist/, media/, manifests, lock file): to reuse one. */
function vsixInputsStamp(extensionDir, dependencies) {
  const lines = [`deps=${dependencies}`];
  const add = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of fs.readdirSync(p).sort()) add(path.join(p, e));
    else lines.push(`${path.relative(extensionDir, p)} ${st.size} ${st.mtimeMs}`);
  };
  for (const f of ['package.json', 'package-lock.json', '.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist', 'media']) {
    if (f === 'dist') {
      // dist/ minus packaged outputs (dist/model-lens.vsix from `npm run package`).
      const d = path.join(extensionDir, 'dist');
      if (fs.existsSync(d)) for (const e of fs.readdirSync(d).sort()) if (!e.endsWith('.vsix')) add(path.join(d, e));
    } else add(path.join(extensionDir, f));
  }
  return lines.join('\n');
}

/** Installs a .vsix into extensionsDir (created first: code-server needs it to exist). */
function installVsix(vsix, { extensionsDir, userDataDir, runDir } = {}) {
  mkdirp(extensionsDir);
  const res = runCodeServerCli(['--install-extension', vsix, '--force'], { extensionsDir, userDataDir, runDir });
  if (res.status !== 0 || !/successfully installed/i.test(res.stdout + res.stderr)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  return res;
}

/** Launches headless Debian chromium through playwright-core; resolves to a persistent context. */
async function launchBrowser({ userDataDir, headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  assertPackages({ browser: true });
  const { chromium } = require('playwright-core');
  const own = !userDataDir;
  userDataDir = userDataDir || scratchDir('browser', 'chromium', 4);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    args: CHROMIUM_ARGS,
    viewport,
  });
  if (own) context.on('close', () => setTimeout(() => rmrf(userDataDir), 500));
  return context;
}

/** Runs `fn` with a hard time limit; rejects with `message` when it runs out. */
function withTimeout(promise, ms, message) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(message)), ms);
      t.unref?.();
    }),
  ]);
}

module.exports = {
  ROOT,
  CACHE,
  CODE_SERVER_VERSION,
  CODE_SERVER_DIR,
  CHROMIUM,
  CHROMIUM_ARGS,
  TEST_SETTINGS,
  which,
  mkdirp,
  rmrf,
  sleep,
  scratchDir,
  missingPackages,
  assertPackages,
  isCodeServerInstalled,
  ensureCodeServer,
  freePort,
  startCodeServer,
  runCodeServerCli,
  workbenchUrl,
  packageVsix,
  installVsix,
  launchBrowser,
  withTimeout,
};

if (require.main === module) {
  // `node scripts/codeServer.js` just installs code-server.
  ensureCodeServer().then(
    (entry) => log('ready:', path.relative(ROOT, entry)),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
