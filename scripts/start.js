#!/usr/bin/env node
// `npm start` (after `npm run build`): try the extension on examples/.
//  - desktop VS Code (`code` on PATH): code --extensionDevelopmentPath=<repo> <repo>/examples
//  - otherwise: code-server 4.100.3 (installed once into .cache/code-server) on 127.0.0.1 with the
//    extension linked into a dedicated extensions dir (.cache/start/extensions), so a rebuild plus
//    "Developer: Reload Window" picks up changes. Prints the URL; Ctrl-C stops it.
//   node scripts/start.js [--code-server] [--port N] [--workspace DIR] [--extension DIR]
//   env: PORT (default: a free port), MODEL_LENS_HOST (default 127.0.0.1)
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const cs = require('./codeServer');

const ROOT = cs.ROOT;
const EXT = path.resolve(arg('extension') || ROOT); // the extension folder (the repo)

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function checkBuilt() {
  const manifest = JSON.parse(fs.readFileSync(path.join(EXT, 'package.json'), 'utf8'));
  const main = path.join(EXT, manifest.main || 'dist/extension.js');
  if (!fs.existsSync(main)) {
    console.error(`${path.relative(ROOT, main)} is missing: run \`npm run build\` (npm start does it for you).`);
    process.exit(1);
  }
  return manifest;
}

function startDesktop(code, workspace) {
  console.log(`Opening ${path.relative(ROOT, workspace) || '.'} in VS Code with the extension under development...`);
  const child = spawn(code, [`--extensionDevelopmentPath=${EXT}`, workspace], { stdio: 'inherit' });
  child.on('exit', (c) => process.exit(c ?? 0));
  child.on('error', (e) => {
    console.error(`could not run ${code}: ${e.message}`);
    process.exit(1);
  });
}

/** Links the repo into extensionsDir as an installed extension (publisher.name-version). */
function linkExtension(manifest, extensionsDir) {
  cs.mkdirp(extensionsDir);
  const id = `${manifest.publisher}.${manifest.name}`;
  for (const d of fs.readdirSync(extensionsDir)) {
    if (d.toLowerCase().startsWith(`${id.toLowerCase()}-`)) fs.rmSync(path.join(extensionsDir, d), { recursive: true, force: true });
  }
  const folder = `${id}-${manifest.version}`;
  fs.symlinkSync(EXT, path.join(extensionsDir, folder), 'dir');
  // VS Code lists installed extensions in extensions.json; an entry makes the link count as installed.
  const entry = {
    identifier: { id },
    version: manifest.version,
    location: { $mid: 1, path: path.join(extensionsDir, folder), scheme: 'file' },
    relativeLocation: folder,
    metadata: { installedTimestamp: Date.now(), source: 'vsix', pinned: true },
  };
  fs.writeFileSync(path.join(extensionsDir, 'extensions.json'), JSON.stringify([entry]));
  return id;
}

async function startCodeServer(manifest, workspace) {
  await cs.ensureCodeServer();
  const dir = cs.mkdirp(path.join(cs.CACHE, 'start'));
  const extensionsDir = path.join(dir, 'extensions');
  const userDataDir = cs.mkdirp(path.join(dir, 'user-data'));
  const id = linkExtension(manifest, extensionsDir);
  const port = Number(arg('port') || process.env.PORT) || undefined;
  const server = await cs.startCodeServer({
    workspace,
    extensionsDir,
    userDataDir,
    runDir: dir,
    port,
    name: 'start',
    // Workspace trust stays on, as for a user.
  });
  const url = cs.workbenchUrl(server, { folder: workspace });
  const line = '-'.repeat(Math.min(100, url.length + 4));
  console.log(`\n${line}\n  Model Lens (${id}) is running in code-server (VS Code 1.100.3):\n\n  ${url}\n`);
  console.log(`  Open it in a browser on this machine (or forward port ${server.port}).`);
  console.log('  After `npm run build`, run "Developer: Reload Window" to load the new build.');
  console.log(`  code-server log: ${path.relative(ROOT, server.logFile)}\n  Press Ctrl-C to stop.\n${line}`);

  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: stopping code-server...`);
    await server.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // Keep running; report if the server dies on its own.
  const timer = setInterval(async () => {
    try {
      process.kill(server.pid, 0);
    } catch {
      clearInterval(timer);
      if (!stopping) {
        console.error(`code-server exited unexpectedly; see ${server.logFile}`);
        await server.stop();
        process.exit(1);
      }
    }
  }, 2000);
}

async function main() {
  const manifest = checkBuilt();
  const workspace = path.resolve(arg('workspace') || path.join(ROOT, 'examples'));
  if (!fs.existsSync(workspace)) {
    console.error(`workspace folder ${workspace} does not exist`);
    process.exit(1);
  }
  const code = !process.argv.includes('--code-server') && cs.which(process.platform === 'win32' ? 'code.cmd' : 'code');
  if (code) return startDesktop(code, workspace);
  console.log('`code` is not on PATH: starting code-server instead (a real VS Code in the browser).');
  return startCodeServer(manifest, workspace);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
