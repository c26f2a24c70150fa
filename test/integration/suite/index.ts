// Tests entry for a real VS Code extension host. Both runners load it:
// test/integration/runInElectron.js (@vscode/test-electron's extensionTestsPath) and
// test/integration/runInCodeServer.js (the workbench `payload` extensionTestsPath).
// It runs mocha on every *.test.js next to it (compiled to out/test/integration/suite/).
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(p));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(p);
  }
  return found.sort();
}

export function run(): Promise<void> {
  // code-server's workbench relays the extension host's console as already-joined strings, so
  // printf-style calls ("%s%s", title) would arrive unformatted: format them here.
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  base.consoleLog = (...args: unknown[]) => console.log(args.length ? util.format(...args) : '');
  const mocha = new Mocha({
    ui: 'bdd',
    // No colors: the code-server runner relays this output line by line through the browser.
    color: false,
    timeout: Number(process.env.MODEL_LENS_TEST_TIMEOUT_MS) || 120_000,
    slow: 10_000,
    grep: process.env.MODEL_LENS_TEST_GREP || undefined,
  });
  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      console.log('integration: 0 passed, 1 failed');
      reject(new Error(`no *.test.js files under ${__dirname}`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const failed = runner.stats?.failures ?? failures;
        console.log(`integration: ${passed} passed, ${failed} failed`);
        if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      console.log('integration: 0 passed, 1 failed');
      reject(err);
    }
  });
}
