// Integration (issue 14, in VS Code): Compare ICL Label Flip in the real editor. On the tiny
// decoder's sentiment.icl.json with the local provider (the panel's run lifecycle: progress, Cancel,
// history); on a prompt selected in an editor (its template guessed, its labels asked for when the
// demonstrations show one); against a real HTTP server on 127.0.0.1 that this test starts: the key
// set with Set API Key reaches it as a Bearer header from SecretStorage and appears in no result,
// panel state, notification or log line; provider faults are one line in the section and the
// extension keeps working; and in an untrusted workspace no endpoint from the workspace settings
// is contacted (the user's is).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { IclResult } from '../../../src/protocol/icl';
import { contentCompletion, legacyCompletion, startLmServer, type LmServer, type RecordedRequest, type Reply } from '../../helpers/lmServer';
import { activate, example, onWindow, poll, within, workspaceRoot } from './helpers';

const KEY = 'sk-model-lens-test-5d1f0c';
const SETTINGS = ['provider', 'endpoint', 'model', 'localModel'] as const;

const compare = (args: unknown) => within(vscode.commands.executeCommand<IclResult | undefined>('modelLens.compareIclLabelFlip', args), 240_000, `compareIclLabelFlip ${JSON.stringify(args)}`);

/** Sets modelLens.icl.* at `target` (undefined removes a value). */
async function configure(target: vscode.ConfigurationTarget, values: Partial<Record<(typeof SETTINGS)[number], string | undefined>>): Promise<void> {
  const config = vscode.workspace.getConfiguration('modelLens.icl');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, target);
}

async function clearSettings(): Promise<void> {
  const none = Object.fromEntries(SETTINGS.map((k) => [k, undefined]));
  await configure(vscode.ConfigurationTarget.Workspace, none);
  await configure(vscode.ConfigurationTarget.Global, none);
}

/** A server whose model prefers " positive" (p ≈ 0.9) over " negative" on every prompt, through /completions or /chat/completions. */
const positive = (r: RecordedRequest): Reply => {
  const top = { ' positive': -0.1, ' negative': -2.4, ' the': -5 };
  return { body: r.path.endsWith('/chat/completions') ? contentCompletion(top, 'served-model', true) : legacyCompletion(top, 'served-model') };
};

describe('ICL label-flip comparisons (real VS Code)', function () {
  this.timeout(300_000);
  let api: ModelLensApi;
  let spec: string;
  let model: string;
  const servers: LmServer[] = [];
  const temp: string[] = [];
  const vscodeDir = path.join(workspaceRoot(), '.vscode');
  const hadVscodeDir = fs.existsSync(vscodeDir);

  const server = async (handler: (r: RecordedRequest) => Reply) => {
    const s = await startLmServer(handler);
    servers.push(s);
    return s;
  };

  before(async function () {
    api = await activate();
    spec = example('tiny-decoder/sentiment.icl.json');
    model = example('tiny-decoder/model.json');
  });

  afterEach(async function () {
    api.icl.overrideTrust(undefined);
    await clearSettings();
  });

  after(async function () {
    await Promise.all(servers.map((s) => s.close()));
    for (const f of temp) fs.rmSync(f, { recursive: true, force: true });
    if (!hadVscodeDir) fs.rmSync(vscodeDir, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('compares sentiment.icl.json on the tiny decoder in its panel: it follows the flipped labels; progress, Cancel and the history', async function () {
    const result = await compare({ spec, provider: `local:${model}`, options: { variants: ['original', 'flipped'] } });
    assert.ok(result, 'the comparison returned nothing');
    assert.strictEqual(result.variants.original?.accuracy, 1);
    assert.ok(result.variants.flipped!.flipFollowingRate! >= 0.9, `follows the flip on ${result.variants.flipped!.flipFollowingRate}`);
    assert.strictEqual(result.variants.flipped!.queries.length, 40);
    await within(api.icl.whenRendered(spec), 60_000, 'the ICL panel');
    let state = await poll(() => (api.icl.panelState(spec)?.rendered ? api.icl.panelState(spec) : undefined), 30_000, 'the result drawn');
    assert.strictEqual(state.state, 'result');
    assert.ok(state.providers.includes('tiny-decoder/model.json'), `providers: ${state.providers}`);
    assert.deepStrictEqual(state.result?.variants.flipped, { accuracy: result.variants.flipped!.accuracy, flipFollowingRate: result.variants.flipped!.flipFollowingRate });
    const first = state.run!;

    // From the panel (as its webview sends it): every variant with gradient saliency, cancelled while it runs.
    const index = state.providers.indexOf('tiny-decoder/model.json');
    assert.ok(api.icl.sendFromWebview(spec, { type: 'sectionRun', section: 'icl', input: index, options: { variants: ['original', 'flipped', 'neutral', 'explained'], saliency: 'gradient' } }));
    const running = await poll(() => {
      const s = api.icl.panelState(spec);
      return s?.state === 'running' && s.progress && s.progress.done > 0 ? s : undefined;
    }, 60_000, 'progress of the panel run');
    assert.ok(running.progress!.total >= 320, `progress total ${running.progress!.total}`);
    assert.ok(api.icl.sendFromWebview(spec, { type: 'sectionCancel', section: 'icl' }));
    state = await poll(() => (api.icl.panelState(spec)?.state === 'error' ? api.icl.panelState(spec) : undefined), 30_000, 'the cancelled run');
    assert.strictEqual(state.code, 'CANCELLED');
    assert.deepStrictEqual(state.history, [first], 'the cancelled run is not kept; the first one is');
    // A message the panel never sends (a path in the options) is refused.
    assert.strictEqual(api.icl.sendFromWebview(spec, { type: 'sectionRun', section: 'icl', input: index, options: { specPath: '/etc/passwd' } }), false);
  });

  it('parses a prompt selected in an editor back into a spec (template guessed; labels asked for when the demonstrations show one)', async function () {
    const file = path.join(workspaceRoot(), '.model-lens-icl-prompt.txt');
    temp.push(file);
    const prompt = 'Review: excellent fantastic a movie this\nlabel: positive\nReview: poor this and this horrible is\nlabel: negative\nReview: of scenes fantastic scenes\nlabel: positive\nReview: cast cast very clumsy really\nlabel:';
    fs.writeFileSync(file, `Notes before the prompt.\n${prompt}\nNotes after it.\n`);
    let editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    editor.selection = new vscode.Selection(1, 0, 8, 'label:'.length);
    const boxes = onWindow('showInputBox', () => Promise.resolve(undefined));
    let result: IclResult | undefined;
    try {
      result = await compare({ provider: `local:${model}`, options: { variants: ['original', 'flipped'] } });
    } finally {
      boxes.restore();
    }
    assert.ok(result, 'no result from the selection');
    assert.strictEqual(boxes.calls.length, 0, 'the template was asked for, not guessed');
    assert.strictEqual(result.variants.original!.queries.length, 1);
    assert.strictEqual(result.variants.original!.queries[0].prompt, prompt);
    assert.strictEqual(result.variants.original!.demonstrations.length, 3);
    assert.strictEqual(result.variants.original!.queries[0].predicted, 'negative');
    const selectionSpec = result.options.specPath;
    assert.match(api.icl.panelState(selectionSpec)!.spec.name, /^Selection in \.model-lens-icl-prompt\.txt, lines 2–9\.$/);

    // Demonstrations with one label only: the labels are asked for. (The selection's panel went where the Model Lens panels are: show the file again.)
    editor = await vscode.window.showTextDocument(editor.document);
    await editor.edit((e) => e.replace(new vscode.Range(2, 0, 2, 'label: positive'.length), 'label: negative'));
    editor.selection = new vscode.Selection(1, 0, 4, 'label: negative'.length);
    const labels = onWindow('showInputBox', () => Promise.resolve('negative, positive'));
    try {
      result = await compare({ provider: `local:${model}`, options: { variants: ['original', 'flipped'] } });
    } finally {
      labels.restore();
    }
    assert.strictEqual(labels.calls.length, 1, 'the labels were not asked for');
    assert.ok(result);
    assert.deepStrictEqual(Object.keys(result.variants.flipped!.queries[0].probs), ['negative', 'positive']);
    assert.strictEqual(result.variants.flipped!.demonstrations[0].label, 'positive');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('sends the key from Set API Key (SecretStorage) as a Bearer header; it is in no result, state, notification or log line; faults are one line', async function () {
    let reply: (r: RecordedRequest) => Reply = positive;
    const s = await server((r) => reply(r));
    await configure(vscode.ConfigurationTarget.Global, { provider: 'openai', endpoint: s.base, model: 'wanted-model' });
    // Set API Key: the endpoint (offered: the configured one), then the key.
    const asked: unknown[] = [];
    const boxes = onWindow('showInputBox', (options) => {
      asked.push(options);
      return Promise.resolve(asked.length === 1 ? (options as vscode.InputBoxOptions).value : KEY);
    });
    const infos = onWindow('showInformationMessage', () => Promise.resolve(undefined));
    try {
      await vscode.commands.executeCommand('modelLens.setApiKey');
    } finally {
      boxes.restore();
      infos.restore();
    }
    assert.strictEqual((asked[0] as vscode.InputBoxOptions).value, s.base, 'the configured endpoint is offered');
    assert.strictEqual((asked[1] as vscode.InputBoxOptions).password, true);
    assert.ok(!JSON.stringify(infos.calls).includes(KEY));

    const result = await compare({ spec, options: { variants: ['original', 'flipped'], timeout: 10 } });
    assert.ok(result, 'no result from the endpoint');
    assert.strictEqual(s.requests.length, 80);
    assert.ok(s.requests.every((r) => r.authorization === `Bearer ${KEY}`), `headers: ${[...new Set(s.requests.map((r) => r.authorization))]}`);
    assert.ok(s.requests.every((r) => r.path === '/v1/completions' && r.body.model === 'wanted-model' && r.body.temperature === 0));
    assert.strictEqual(result.model, 'served-model');
    assert.strictEqual(result.variants.original!.queries[0].predicted, 'positive');
    assert.strictEqual(result.variants.original!.accuracy, 0.5);
    assert.ok(!JSON.stringify(result).includes(KEY), 'the key is in the result');
    assert.ok(!JSON.stringify(api.icl.panelState(spec)).includes(KEY), 'the key is in the panel state');

    // A refused key, a 500, a server without log-probabilities, one slower than the timeout: one line each, without the key.
    const errors = onWindow('showErrorMessage', () => Promise.resolve(undefined));
    const faults: [string, Reply, RegExp][] = [
      ['401', { status: 401, body: { error: { message: `invalid api key ${KEY}` } } }, /^HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/completions: invalid api key \*\*\* \(the key stored for http:\/\/127\.0\.0\.1:\d+: Model Lens: Set API Key\)$/],
      ['500', { status: 500, body: { error: 'model crashed' } }, /^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/v1\/completions: model crashed$/],
      ['no log-probabilities', { body: { model: 'm', choices: [{ text: ' positive' }] } }, /has no log-probabilities/],
      ['timeout', { body: legacyCompletion({ ' positive': -0.1 }), delayMs: 3000 }, /^No answer from http:\/\/127\.0\.0\.1:\d+\/v1\/completions within 1 s/],
    ];
    try {
      for (const [name, fault, message] of faults) {
        reply = () => fault;
        assert.strictEqual(await compare({ spec, options: { variants: ['original'], timeout: 1, concurrency: 1 } }), undefined, name);
        const state = api.icl.panelState(spec)!;
        assert.strictEqual(state.state, 'error', name);
        assert.match(state.message!, message, name);
        assert.ok(!state.message!.includes('\n'), `${name}: more than one line`);
      }
    } finally {
      errors.restore();
    }
    assert.ok(!JSON.stringify(errors.calls).includes(KEY), 'the key is in a notification');
    // The extension keeps working: the local model right after.
    assert.ok(await compare({ spec, provider: `local:${model}`, options: { variants: ['original'] } }));
    // The log: the runs and the faults are there, the key is not.
    const log = await poll(() => {
      const text = fs.existsSync(api.logFile()) ? fs.readFileSync(api.logFile(), 'utf8') : '';
      return /HTTP 401 from/.test(text) && /ICL comparison of sentiment\.icl\.json on tiny-decoder/.test(text) ? text : undefined;
    }, 30_000, `the log file ${api.logFile()}`);
    assert.ok(!log.includes(KEY), 'the key is in the log');
  });

  it('in an untrusted workspace contacts no endpoint from the workspace settings, only the user\'s', async function () {
    const workspaceServer = await server(positive);
    const userServer = await server(positive);
    await configure(vscode.ConfigurationTarget.Global, { provider: 'openai', endpoint: userServer.base });
    await configure(vscode.ConfigurationTarget.Workspace, { provider: 'openai-chat', endpoint: workspaceServer.base, model: 'workspace-model' });
    api.icl.overrideTrust(false);
    const untrusted = await compare({ spec, options: { variants: ['original'] } });
    assert.ok(untrusted, 'no result from the user endpoint');
    assert.strictEqual(workspaceServer.requests.length, 0, 'the workspace endpoint was contacted');
    assert.strictEqual(userServer.requests.length, 40);
    assert.ok(userServer.requests.every((r) => r.path === '/v1/completions' && r.body.model === undefined), 'the workspace provider or model was used');
    const state = await poll(() => api.icl.panelState(spec)?.notes.find((n) => /not trusted/.test(n)), 10_000, 'the note on the ignored settings');
    assert.match(state, /modelLens\.icl\.provider, modelLens\.icl\.endpoint, modelLens\.icl\.model are not used/);
    assert.ok(!api.icl.panelState(spec)!.providers.some((p) => p.includes(workspaceServer.base)));
    assert.ok(!api.icl.panelState(spec)!.providers.includes('tiny-decoder/model.json'), 'a local model is offered in an untrusted workspace');

    // Only the workspace's endpoint: nothing to contact (and no local model), so nothing is sent.
    await configure(vscode.ConfigurationTarget.Global, { provider: undefined, endpoint: undefined });
    const warnings = onWindow('showWarningMessage', () => Promise.resolve(undefined));
    try {
      assert.strictEqual(await compare({ spec, options: { variants: ['original'] } }), undefined);
    } finally {
      warnings.restore();
    }
    assert.strictEqual(workspaceServer.requests.length, 0);
    assert.match(JSON.stringify(warnings.calls), /not trusted/);

    // Trusted again: the workspace's settings count (its endpoint, its chat API and model).
    api.icl.overrideTrust(undefined);
    assert.ok(await compare({ spec, options: { variants: ['original'] } }));
    assert.strictEqual(workspaceServer.requests.length, 40);
    assert.ok(workspaceServer.requests.every((r) => r.path === '/v1/chat/completions' && r.body.model === 'workspace-model'));
  });
});
