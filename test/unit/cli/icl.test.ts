/**
 * `model-lens icl`: its flags become the request the issue specifies, its --json is one object with
 * the contract's fields, the API key comes from the environment and is never printed, and every
 * failure is one line with exit 1 (the server's) or 2 (usage). The built CLI runs against a real
 * local server, asynchronously so the server in this process can answer it.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { iclParams } from '../../../src/cli/iclArgs';
import { CLI, ROOT, requireBuiltCli } from '../../helpers/cli';
import { legacyCompletion, startLmServer, type LmServer } from '../../helpers/lmServer';
import { tempDir } from '../../helpers/tempDir';

const usage = (message: string) => new Error(message);
const KEY = 'sk-cli-secret-42';

/** Runs the built CLI without blocking the event loop (the test server lives in this process). */
function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function failsWith(args: string[], pattern: RegExp, exit: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { code, stdout, stderr } = await cliAsync(args, env);
  assert.strictEqual(code, exit, stderr);
  assert.strictEqual(stdout, '');
  assert.strictEqual(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /^model-lens: error: /);
  assert.match(stderr, pattern);
  return stderr;
}

describe('icl flags → request', () => {
  it('maps every flag to its request field; the key comes from OPENAI_API_KEY or --api-key-env', () => {
    const flags = {
      provider: 'openai:http://127.0.0.1:8080/v1', model: 'qwen', variants: 'original, flipped,neutral', 'flip-count': '2', saliency: 'occlusion',
      'top-logprobs': '10', timeout: '2.5', concurrency: '8',
    };
    assert.deepStrictEqual(iclParams('s.icl.json', flags, usage, { OPENAI_API_KEY: KEY }), {
      specPath: 's.icl.json', provider: 'openai:http://127.0.0.1:8080/v1', model: 'qwen', variants: ['original', 'flipped', 'neutral'], flipCount: 2,
      saliency: 'occlusion', topLogprobs: 10, timeout: 2.5, concurrency: 8, apiKey: KEY,
    });
    assert.deepStrictEqual(iclParams('s', { provider: 'openai-chat:https://h/v1', 'api-key-env': 'MY_KEY' }, usage, { MY_KEY: 'k2', OPENAI_API_KEY: KEY }), {
      specPath: 's', provider: 'openai-chat:https://h/v1', apiKey: 'k2',
    });
    // No key for a local model, and none when the default variable is unset.
    assert.deepStrictEqual(iclParams('s', { provider: 'local:m/model.json' }, usage, { OPENAI_API_KEY: KEY }), { specPath: 's', provider: 'local:m/model.json' });
    assert.deepStrictEqual(iclParams('s', { provider: 'openai:http://h/v1' }, usage, {}), { specPath: 's', provider: 'openai:http://h/v1' });
    assert.deepStrictEqual(iclParams('s', { provider: 'local:m.json', saliency: 'integrated-gradients', steps: '256' }, usage, {}), {
      specPath: 's', provider: 'local:m.json', saliency: 'integrated-gradients', steps: 256,
    });
  });

  it('usage errors name the flag', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{}, /icl needs --provider local:<model\.json>\|openai:<base-url>\|openai-chat:<base-url>/],
      [{ provider: 'ollama:http://h' }, /^--provider: must be local:<model\.json>, openai:<base-url> or openai-chat:<base-url>/],
      [{ provider: 'local:m.json', variants: 'original,upside-down' }, /^--variants: is malformed at 1/],
      [{ provider: 'local:m.json', variants: 'original,original' }, /^--variants: is malformed: lists a variant twice/],
      [{ provider: 'openai:http://h', 'top-logprobs': '3' }, /^--top-logprobs: must be an integer from 5 to 20/],
      [{ provider: 'openai:http://h', timeout: '0' }, /^--timeout: must be a number above 0 up to 3600/],
      [{ provider: 'openai:http://h', concurrency: '0' }, /^--concurrency: must be an integer from 1 to 64/],
      [{ provider: 'local:m.json', steps: '16' }, /^--steps needs --saliency integrated-gradients/],
      [{ provider: 'openai:http://h', saliency: 'gradient' }, /^--saliency gradient needs --provider local:<model\.json>: endpoints return no gradients/],
      [{ provider: 'local:m.json', 'api-key-env': 'K' }, /^--api-key-env applies to openai: and openai-chat: providers, not local:/],
      [{ provider: 'openai:http://h', 'api-key-env': 'NOT SET' }, /^--api-key-env: must be an environment variable's name/],
      [{ provider: 'openai:http://h', 'api-key-env': 'UNSET_VAR' }, /^--api-key-env: the environment variable UNSET_VAR is not set/],
    ];
    for (const [flags, pattern] of bad) assert.throws(() => iclParams('s', flags, usage, {}), (e: Error) => pattern.test(e.message) || assert.fail(`${JSON.stringify(flags)}: ${e.message}`));
  });
});

describe('cli icl against a local server', function () {
  this.timeout(60_000);
  let server: LmServer;
  let spec: string;
  before(async function () {
    requireBuiltCli();
    server = await startLmServer((r) => {
      if (r.authorization === 'Bearer wrong') return { status: 401, body: { error: { message: 'invalid api key' } } };
      const great = String(r.body.prompt).split(/\s+/).filter((w) => w === 'great').length;
      return { body: legacyCompletion({ ' positive': Math.log(great > 1 ? 0.8 : 0.3), ' negative': Math.log(great > 1 ? 0.1 : 0.6) }) };
    });
    spec = path.join(tempDir(), 'cli.icl.json');
    fs.writeFileSync(spec, JSON.stringify({
      template: 'Review: {input}\nlabel: {label}\n', labels: ['negative', 'positive'],
      demonstrations: [{ input: 'great film', label: 'positive' }, { input: 'awful plot', label: 'negative' }],
      queries: [{ input: 'a great day', label: 'positive' }, { input: 'a bad day', label: 'negative' }],
    }));
  });
  after(() => server.close());

  it('--json prints exactly one object with the contract fields; the key goes to the server only', async () => {
    const { code, stdout, stderr } = await cliAsync(['icl', spec, '--provider', `openai:${server.base}`, '--saliency', 'occlusion', '--json'], { OPENAI_API_KEY: KEY });
    assert.strictEqual(code, 0, stderr);
    assert.ok(!stdout.includes(KEY) && !stderr.includes(KEY));
    const result = JSON.parse(stdout);
    for (const key of ['provider', 'model', 'variants', 'backend', 'ms']) assert.ok(key in result, key);
    assert.deepStrictEqual(Object.keys(result.variants), ['original', 'flipped']);
    const variant = result.variants.flipped;
    for (const key of ['accuracy', 'flipFollowingRate', 'saliencyShares', 'queries']) assert.ok(key in variant, key);
    const query = variant.queries[0];
    for (const key of ['input', 'label', 'prompt', 'probs', 'coverage', 'belowTopK', 'predicted', 'correct', 'followsFlip', 'tokens']) assert.ok(key in query, key);
    assert.deepStrictEqual(Object.keys(query.tokens[0]).filter((k) => k !== 'demo'), ['text', 'start', 'end', 'part', 'saliency']);
    assert.ok(Math.abs(query.probs.positive - 0.8 / 0.9) < 1e-12 && Math.abs(query.probs.negative - 0.1 / 0.9) < 1e-12, JSON.stringify(query.probs));
    assert.strictEqual(result.provider, `openai:${server.base}`);
    assert.strictEqual(result.model, 'test-model');
    assert.ok(server.requests.every((r) => r.authorization === `Bearer ${KEY}`));
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout, stderr } = await cliAsync(['icl', spec, '--provider', `openai:${server.base}`, '--variants', 'flipped']);
    assert.strictEqual(code, 0, stderr);
    assert.match(stdout, /^flipped {3}accuracy 100\.0% {3}follows the flip 0\.0%$/m);
    assert.match(stdout, /a great day +positive +positive +0\.111 +0\.889/);
  });

  it('a server fault is one line and exit 1; a bad key from --api-key-env is not printed', async () => {
    await failsWith(['icl', spec, '--provider', `openai:${server.base}`, '--api-key-env', 'LENS_KEY'], /HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/completions: invalid api key\n$/, 1, { LENS_KEY: 'wrong' });
    await failsWith(['icl', spec, '--provider', `openai:${server.base}`, '--variants', 'neutral'], /cli\.icl\.json: demonstrations\[0\] has no 'neutral': the neutral variant needs one in every demonstration\./, 1);
    await failsWith(['icl', path.join(path.dirname(spec), 'missing.icl.json'), '--provider', `openai:${server.base}`], /missing\.icl\.json does not exist/, 1);
  });

  it('usage errors exit 2', async () => {
    await failsWith(['icl', spec], /icl needs --provider/, 2);
    await failsWith(['icl', spec, '--provider', `openai:${server.base}`, '--saliency', 'integrated-gradients'], /--saliency integrated-gradients needs --provider local:/, 2);
    await failsWith(['icl', spec, '--provider', `openai:${server.base}`, '--window', '3'], /icl takes no --window/, 2);
  });
});
