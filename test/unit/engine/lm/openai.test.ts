/**
 * The OpenAI-compatible providers against a real HTTP server on 127.0.0.1 started here: both
 * log-probability shapes and the chat endpoint, what is sent (temperature 0, one token, the Bearer
 * key), label probabilities against hand-computed values, every fault as one clear line (401, 500,
 * malformed JSON, no log-probabilities, a server slower than the timeout, nothing listening), and
 * the API key in no message and no result.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../../../../src/engine/engine';
import { OpenAiEndpoint, type EndpointConfig } from '../../../../src/engine/lm/openai';
import type { RunContext } from '../../../../src/protocol/engine';
import type { IclResult } from '../../../../src/protocol/icl';
import { rejectsLens } from '../../../helpers/assertLens';
import { contentCompletion, legacyCompletion, startLmServer, type LmServer, type RecordedRequest } from '../../../helpers/lmServer';
import { tempDir } from '../../../helpers/tempDir';

const KEY = 'sk-test-0123456789abcdef';
const LABELS = ['negative', 'positive'];
const signal = new AbortController().signal;

function endpoint(server: LmServer, overrides: Partial<EndpointConfig> = {}): OpenAiEndpoint {
  return new OpenAiEndpoint({ kind: 'openai', baseUrl: server.base, model: 'm-1', apiKey: KEY, topLogprobs: 5, timeoutMs: 5000, ...overrides });
}

/** The prompt a request carries, on either endpoint. */
function promptOf(r: RecordedRequest): string {
  return typeof r.body.prompt === 'string' ? r.body.prompt : ((r.body.messages as { content: string }[])[0].content);
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));
/** The fake model: p(positive) = σ(#great − #awful) over the prompt's words; the labels hold 90% of the mass, " the" the rest. */
function fakeModel(prompt: string): Record<string, number> {
  const words = prompt.split(/\s+/);
  const p = sigmoid(words.filter((w) => w === 'great').length - words.filter((w) => w === 'awful').length);
  return { ' positive': Math.log(0.9 * p), ' negative': Math.log(0.9 * (1 - p)), ' the': Math.log(0.1) };
}

describe('lm/openai: OpenAI-compatible endpoints against a local server', function () {
  this.timeout(20_000);
  let server: LmServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('completions: sends {model, prompt, max_tokens: 1, temperature: 0, logprobs: k} with the Bearer key, and reads the legacy shape', async () => {
    server = await startLmServer(() => ({ body: legacyCompletion({ ' positive': Math.log(0.6), positive: Math.log(0.1), ' negative': Math.log(0.2), ' the': Math.log(0.05) }, 'served-name') }));
    const lm = endpoint(server);
    const d = await lm.score('Review: fine\nlabel:', LABELS, signal);
    assert.deepStrictEqual(server.requests[0].body, { model: 'm-1', max_tokens: 1, temperature: 0, prompt: 'Review: fine\nlabel:', logprobs: 5 });
    assert.strictEqual(server.requests[0].path, '/v1/completions');
    assert.strictEqual(server.requests[0].authorization, `Bearer ${KEY}`);
    // positive = 0.6 + 0.1 (" positive" and "positive" are one label), negative 0.2: renormalised over 0.9.
    assert.ok(Math.abs((d.probs.positive as number) - 0.7 / 0.9) < 1e-12);
    assert.ok(Math.abs((d.probs.negative as number) - 0.2 / 0.9) < 1e-12);
    assert.ok(Math.abs(d.coverage - 0.9) < 1e-12);
    assert.deepStrictEqual(d.belowTopK, []);
    assert.ok(Math.abs((d.topKMin as number) - 0.05) < 1e-12);
    assert.strictEqual(lm.model, 'served-name');
    assert.strictEqual(lm.requests, 1);
  });

  it("completions: reads llama.cpp's content shape; a label outside the top-k is reported, never invented", async () => {
    server = await startLmServer(() => ({ body: contentCompletion({ ' Positive': Math.log(0.5), ' the': Math.log(0.3), ' a': Math.log(0.1) }) }));
    const d = await endpoint(server, { model: undefined, apiKey: undefined }).score('x', LABELS, signal);
    assert.deepStrictEqual(server.requests[0].body, { max_tokens: 1, temperature: 0, prompt: 'x', logprobs: 5 });
    assert.strictEqual(server.requests[0].authorization, undefined);
    assert.deepStrictEqual(d.probs, { negative: null, positive: 1 });
    assert.deepStrictEqual(d.belowTopK, ['negative']);
    assert.ok(Math.abs(d.coverage - 0.5) < 1e-12);
    assert.ok(Math.abs((d.topKMin as number) - 0.1) < 1e-12);
  });

  it('chat: sends the prompt as the user message with logprobs: true, top_logprobs: k to /chat/completions', async () => {
    server = await startLmServer(() => ({ body: contentCompletion({ negative: Math.log(0.3), positive: Math.log(0.6) }, 'llama3', true) }));
    const lm = endpoint(server, { kind: 'openai-chat', topLogprobs: 7 });
    const d = await lm.score('Review: meh\nlabel:', LABELS, signal);
    assert.strictEqual(server.requests[0].path, '/v1/chat/completions');
    assert.deepStrictEqual(server.requests[0].body, {
      model: 'm-1', max_tokens: 1, temperature: 0, messages: [{ role: 'user', content: 'Review: meh\nlabel:' }], logprobs: true, top_logprobs: 7,
    });
    assert.ok(Math.abs((d.probs.positive as number) - 2 / 3) < 1e-12);
    assert.strictEqual(lm.model, 'llama3');
  });

  const faults: [string, () => ReturnType<typeof startLmServer>, string, (string | RegExp)[]][] = [
    ['401 with the server message (which echoes the key: it is masked)', () => startLmServer(() => ({ status: 401, body: { error: { message: `invalid api key ${KEY}` } } })), 'openai', [/^HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/completions: invalid api key \*\*\*$/]],
    ['500 with a plain-text body', () => startLmServer(() => ({ status: 500, body: 'upstream exploded\n' })), 'openai', [/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/v1\/completions: upstream exploded$/]],
    ['a body that is not JSON', () => startLmServer(() => ({ body: '<html>oops' })), 'openai', ['is not JSON (HTTP 200, body starts "<html>oops")']],
    ['no log-probabilities (Ollama /v1/completions): says which servers return them', () => startLmServer(() => ({ body: { model: 'x', choices: [{ text: ' positive', logprobs: null }] } })), 'openai', ['has no log-probabilities', "Ollama's /v1/completions does not", 'openai-chat']],
    ['chat without log-probabilities', () => startLmServer(() => ({ body: { choices: [{ message: { content: 'positive' } }] } })), 'openai-chat', ['has no log-probabilities', 'logprobs: true']],
    ['no choices at all', () => startLmServer(() => ({ body: { object: 'error' } })), 'openai', ['has no choices']],
  ];
  for (const [what, start, kind, patterns] of faults) {
    it(`fault: ${what}`, async () => {
      server = await start();
      const lm = endpoint(server, { kind: kind as EndpointConfig['kind'] });
      const err = await rejectsLens(() => lm.score('p', LABELS, signal), 'PROVIDER_ERROR', ...patterns);
      assert.ok(!err.message.includes(KEY));
    });
  }

  it('fault: a server slower than the timeout fails after the timeout, not after the server', async () => {
    server = await startLmServer(() => ({ body: legacyCompletion({ ' positive': -0.1 }), delayMs: 5000 }));
    const started = Date.now();
    await rejectsLens(() => endpoint(server!, { timeoutMs: 300 }).score('p', LABELS, signal), 'PROVIDER_ERROR', /^No answer from http:\/\/127\.0\.0\.1:\d+\/v1\/completions within 0\.3 s/);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
  });

  it('fault: nothing listening', async () => {
    server = await startLmServer(() => ({ body: {} }));
    const base = server.base;
    await server.close();
    server = undefined;
    await rejectsLens(() => new OpenAiEndpoint({ kind: 'openai', baseUrl: base, topLogprobs: 5, timeoutMs: 5000 }).score('p', LABELS, signal), 'PROVIDER_ERROR', 'Cannot reach', 'ECONNREFUSED');
  });

  describe('the icl request on an endpoint (occlusion, concurrency, cancellation)', () => {
    let engine: Engine;
    let specPath: string;
    before(async () => {
      engine = new Engine(() => {}, { helper: false });
      await engine.useBackend('cpu');
      specPath = path.join(tempDir(), 'tiny.icl.json');
      fs.writeFileSync(
        specPath,
        JSON.stringify({
          template: 'Review: {input}\nlabel: {label}\n',
          labels: LABELS,
          demonstrations: [{ input: 'great film', label: 'positive' }, { input: 'awful plot', label: 'negative' }],
          queries: [{ input: 'a great great day', label: 'positive' }],
        }),
      );
    });
    after(() => engine.dispose());

    const run = (provider: string, extra: object = {}, ctx: RunContext = { signal, onProgress: () => {} }) =>
      engine.run('icl', { specPath, provider, variants: ['original', 'flipped'], saliency: 'occlusion', ...extra }, ctx) as Promise<IclResult>;

    it('occlusion saliency equals p(predicted | prompt) − p(predicted | prompt without the word), requests announced first', async () => {
      server = await startLmServer((r) => ({ body: legacyCompletion(fakeModel(promptOf(r))), delayMs: 20 }));
      const progress: [number, number, string | undefined][] = [];
      const result = await run(`openai:${server.base}`, { apiKey: KEY }, { signal, onProgress: (d: number, t: number, m?: string) => progress.push([d, t, m]) });
      const original = result.variants.original!;
      const q = original.queries[0];
      assert.strictEqual(q.prompt, 'Review: great film\nlabel: positive\nReview: awful plot\nlabel: negative\nReview: a great great day\nlabel:');
      assert.strictEqual(q.predicted, 'positive');
      assert.ok(Math.abs((q.probs.positive as number) - sigmoid(2)) < 1e-9);
      // 16 words: each deletion changes the count of great/awful or nothing.
      const expected: Record<string, number> = { great: sigmoid(2) - sigmoid(1), awful: sigmoid(2) - sigmoid(3) };
      assert.strictEqual(q.tokens.length, 16);
      for (const t of q.tokens) assert.ok(Math.abs((t.saliency as number) - (expected[t.text] ?? 0)) < 1e-9, `${t.text}: ${t.saliency}`);
      assert.deepStrictEqual(q.tokens.map((t) => t.part), [
        'template', 'demo-input', 'demo-input', 'template', 'demo-label', 'template', 'demo-input', 'demo-input', 'template', 'demo-label', 'template', 'query', 'query', 'query', 'query', 'template',
      ]);
      assert.deepStrictEqual(q.tokens.slice(0, 3).map((t) => [t.text, t.start, t.end, t.demo]), [['Review:', 0, 7, 0], ['great', 8, 13, 0], ['film', 14, 18, 0]]);
      // 2 prompts + 2 × 16 deletions, announced before the first request.
      assert.strictEqual(server.requests.length, 34);
      assert.strictEqual(result.requests, 34);
      assert.deepStrictEqual(progress[0], [0, 34, `34 requests to ${server.base}/completions, 4 at a time`]);
      assert.deepStrictEqual(progress.at(-1)?.slice(0, 2), [34, 34]);
      assert.ok(server.maxInFlight > 1 && server.maxInFlight <= 4, `in flight: ${server.maxInFlight}`);
      // The fake model ignores labels: flipping changes nothing it sees, so nothing follows the flip.
      assert.strictEqual(original.accuracy, 1);
      assert.strictEqual(result.variants.flipped!.flipFollowingRate, 0);
      assert.deepStrictEqual(result.variants.flipped!.demonstrations.map((d) => [d.label, d.changed]), [['negative', ['label']], ['positive', ['label']]]);
      assert.ok(result.difference);
      const shares = original.saliencyShares!;
      // 'great' twice in the query and once in the first demonstration, 'awful' once in the second.
      const total = 3 * Math.abs(expected.great) + Math.abs(expected.awful);
      assert.ok(Math.abs((shares.query as number) - (2 * Math.abs(expected.great)) / total) < 1e-9);
      assert.ok(Math.abs((shares['demo-input'] as number) - (Math.abs(expected.great) + Math.abs(expected.awful)) / total) < 1e-9);
      assert.deepStrictEqual(q.demoContributions?.map((c) => Number(c.toFixed(12))), [expected.great, expected.awful].map((c) => Number(c.toFixed(12))));
      // Flipped minus original, token by token: the same everywhere (the model ignores labels).
      for (const t of result.difference.queries[0].tokens) assert.ok(Math.abs(t.difference) < 1e-12);
      assert.strictEqual(result.model, 'test-model');
      assert.ok(!JSON.stringify(result).includes(KEY), 'the API key is in no result');
      assert.deepStrictEqual(Object.keys(result.options).sort(), ['concurrency', 'provider', 'saliency', 'specPath', 'timeout', 'topLogprobs', 'variants']);
    });

    it('--concurrency 1 keeps one request in flight; the chat endpoint gives the same saliency', async () => {
      server = await startLmServer((r) => ({ body: contentCompletion(fakeModel(promptOf(r)), 'chat-model', true), delayMs: 5 }));
      const result = await run(`openai-chat:${server.base}`, { concurrency: 1, variants: ['original'] });
      assert.strictEqual(server.maxInFlight, 1);
      const great = result.variants.original!.queries[0].tokens.find((t) => t.text === 'great')!;
      assert.ok(Math.abs((great.saliency as number) - (sigmoid(2) - sigmoid(1))) < 1e-9);
    });

    it('cancelling stops the requests: none starts after the abort (only those already in flight arrive)', async () => {
      server = await startLmServer((r) => ({ body: legacyCompletion(fakeModel(promptOf(r))), delayMs: 50 }));
      const controller = new AbortController();
      const pending = run(`openai:${server.base}`, {}, { signal: controller.signal, onProgress: (done: number) => (done === 6 ? controller.abort() : undefined) });
      await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
      await new Promise((r) => setTimeout(r, 300));
      const sent = server.requests.length;
      // 6 answered, at most 4 in flight when the run was cancelled.
      assert.ok(sent <= 10, `sent ${sent}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(server.requests.length, sent);
    });

    it('a server fault ends the run with its one line; gradient saliency on an endpoint is refused before any request', async () => {
      server = await startLmServer(() => ({ status: 401, body: { error: { message: 'invalid api key' } } }));
      await rejectsLens(() => run(`openai:${server!.base}`, { apiKey: KEY }), 'PROVIDER_ERROR', /^HTTP 401 from .*\/v1\/completions: invalid api key$/);
      const before = server.requests.length;
      await rejectsLens(() => run(`openai:${server!.base}`, { saliency: 'gradient' }), 'BAD_REQUEST', "Saliency 'gradient' needs a local model");
      assert.strictEqual(server.requests.length, before);
    });
  });
});
