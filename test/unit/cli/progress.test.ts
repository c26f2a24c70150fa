/**
 * The CLI's progress (a bar on a terminal, one line per stage of a long command otherwise, nothing
 * with --quiet) and Ctrl-C: the engine's work stops through its AbortSignal, and the CLI exits at
 * once with one line and no process left behind.
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { LONG_COMMAND_MS, progressBar, progressMode, progressReporter } from '../../../src/cli/progress';
import { CLI, cli, requireBuiltCli, ROOT } from '../../helpers/cli';

const MNIST = path.join(ROOT, 'examples/mnist-cnn/model.json');
const SEVEN = path.join(ROOT, 'examples/mnist-cnn/samples/digit-7-0.png');

/** A reporter on a fake clock, and what it wrote. */
function reporter(mode: 'bar' | 'lines' | 'off') {
  let t = 0;
  const written: string[] = [];
  const progress = progressReporter(mode, (text) => written.push(text), () => t);
  return { progress, written, advance: (ms: number) => (t += ms) };
}

describe('cli progress', () => {
  it('a bar on a terminal, lines otherwise, nothing with --quiet', () => {
    assert.strictEqual(progressMode(false, true), 'bar');
    assert.strictEqual(progressMode(false, undefined), 'lines');
    assert.strictEqual(progressMode(true, true), 'off');
    assert.strictEqual(progressBar(5, 20, 'occlusion'), 'occlusion 25% [#####...............]');
    assert.strictEqual(progressBar(0, 0, 'Reading training set'), 'Reading training set');
  });

  it('terminal: redrawn in place at most every 100 ms, always at the end, and cleared', () => {
    const { progress, written, advance } = reporter('bar');
    progress.show(1, 4, 'smoothgrad');
    advance(50);
    progress.show(2, 4, 'smoothgrad'); // too soon after the last redraw
    advance(60);
    progress.show(3, 4, 'smoothgrad');
    progress.show(4, 4, 'smoothgrad'); // the end is always drawn
    progress.clear();
    assert.deepStrictEqual(written, [
      '\r\x1b[Ksmoothgrad 25% [#####...............]',
      '\r\x1b[Ksmoothgrad 75% [###############.....]',
      '\r\x1b[Ksmoothgrad 100% [####################]',
      '\r\x1b[K',
    ]);
  });

  it('no terminal: silent for a short command, then one line per stage (counters do not make a new stage)', () => {
    const { progress, written, advance } = reporter('lines');
    progress.show(1, 10, 'integrated-gradients');
    advance(LONG_COMMAND_MS);
    progress.show(2, 10, 'integrated-gradients');
    progress.show(9, 10, 'integrated-gradients');
    progress.show(1, 84, 'deletion/insertion');
    progress.show(1, 3, 'Hessian column 1/3');
    progress.show(2, 3, 'Hessian column 2/3');
    progress.clear();
    assert.deepStrictEqual(written, ['model-lens: integrated-gradients 20%\n', 'model-lens: deletion/insertion 1%\n', 'model-lens: Hessian column 1/3 33%\n']);
  });

  it('--quiet: nothing', () => {
    const { progress, written, advance } = reporter('off');
    advance(10 * LONG_COMMAND_MS);
    progress.show(1, 2, 'occlusion');
    progress.clear();
    assert.deepStrictEqual(written, []);
  });
});

describe('cli (dist/cli.js): long runs and Ctrl-C', function () {
  this.timeout(120_000);
  before(requireBuiltCli);

  /** SmoothGrad with 10,000 samples on the MNIST CNN: minutes of work, shared with the gradient helper thread. */
  const LONG = ['saliency', MNIST, '--input', SEVEN, '--method', 'smoothgrad', '--samples', '10000', '--backend', 'wasm', '--json'];

  it('Ctrl-C cancels: one line, exit 130 within seconds, nothing on stdout, no process left', async () => {
    const child = spawn(process.execPath, [CLI, ...LONG], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Progress without a terminal: the stage's line once the run passes a second.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/^model-lens: smoothgrad \d+%$/m.test(stderr)) resolve();
      });
      child.on('exit', () => reject(new Error(`the CLI exited before it reported progress: ${stderr}`)));
    });
    const pid = child.pid as number;
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    const took = Date.now() - interrupted;
    assert.strictEqual(code, 130, stderr);
    assert.ok(took < 10_000, `exited ${took} ms after Ctrl-C`);
    assert.strictEqual(stdout, '');
    assert.deepStrictEqual(stderr.split('\n').filter(Boolean), [stderr.split('\n')[0], 'model-lens: cancelled'], stderr);
    // The gradient helper is a thread of the CLI's process: nothing of it, nor any child, outlives the exit.
    assert.strictEqual(spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.trim(), '');
    assert.notStrictEqual(spawnSync('kill', ['-0', String(pid)]).status, 0, 'the process is gone');
  });

  it('--quiet: a long run prints nothing on stderr', () => {
    const { code, stdout, stderr } = cli('saliency', MNIST, '--input', SEVEN, '--method', 'integrated-gradients', '--steps', '64', '--metrics', '--backend', 'cpu', '--json', '--quiet');
    assert.strictEqual(code, 0, stderr);
    assert.strictEqual(stderr, '');
    assert.strictEqual(JSON.parse(stdout).method, 'integrated-gradients');
  });
});
