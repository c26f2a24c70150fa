/**
 * One ICL panel per prompt spec (`*.icl.json`, or the spec built from a prompt selected in an
 * editor). An ICL experiment belongs to its spec, not to a model: the same prompts are compared
 * on a local TF.js model or on an endpoint that has no model.json, and the panel's history keeps
 * the runs of every provider, so two can be shown side by side. Its one section (`icl`) runs through
 * the shared SectionController (progress, Cancel, history, saved state for a window reload); the
 * run's `input` is the provider's index in the list the panel offers.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ICL_VARIANTS, type IclResult, type IclVariant } from '../../protocol/icl';
import { splitProvider } from '../../protocol/options/icl';
import type { FromWebview, IclPanelOptions, IclSpecView, ToWebview } from '../../protocol/webview';
import { checkVariants, parseSpec, SpecError } from '../../shared/icl/spec';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import { besidePanel, newPanelColumn } from '../panel/placement';
import { runState, SectionController, type RunState, type SavedSection, type SectionTask } from '../panel/sectionController';
import { fromWebview, renderShell, webviewOptions, workspaceFoldersMessage } from '../panel/webviewHtml';
import type { PanelStore } from '../modelPanel/panelStore';
import { endpointOrigin, type ApiKeys } from './apiKeys';
import { providerChoices, providerEntry, workspaceLanguageModels, type ProviderEntry } from './providers';
import type { IclSettings } from './settings';

export const ICL_PANEL_VIEW_TYPE = 'modelLens.icl';

/** What every ICL panel shares: the engine, the log, keys, the settings under the trust rule, where selection specs live. */
export interface IclEnvironment {
  engine: EngineClient;
  output: vscode.LogOutputChannel;
  keys: ApiKeys;
  settings(): IclSettings;
  trusted(): boolean;
  /** Where specs built from selected prompts are written (they are named by their `description`). */
  selectionDir: string;
  store: PanelStore;
  extensionUri: vscode.Uri;
}

/** A comparison to run: a provider (an entry's provider string, or the panel's selected one) and the options. */
export interface IclRunRequest {
  provider?: string;
  /** The endpoint's model name (default: the settings'). */
  model?: string;
  options: IclPanelOptions;
}

/** What the panel shows, for the API (tests and other extensions). */
export interface IclPanelState extends Partial<RunState<undefined>> {
  spec: { name: string; problem?: string; fromSelection: boolean; unavailable: IclSpecView['unavailable'] };
  providers: string[];
  selected: number;
  notes: string[];
  history: number[];
  progress?: { done: number; total: number; message?: string };
  /** The shown result: provider, model, requests and per variant accuracy and flip-following. */
  result?: { provider: string; model: string; requests: number; variants: Partial<Record<IclVariant, { accuracy: number | null; flipFollowingRate: number | null }>> };
}

const isIclPanelTab = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputWebview && /modelLens\.(icl|model)/.test(tab.input.viewType);

export class IclPanel extends Disposable {
  readonly runs: SectionController<'icl'>;
  private spec: IclSpecView;
  private providers: ProviderEntry[] = [];
  private selected = 0;
  /** The provider the settings choose (their endpoint or local model), else the first. */
  private preferred = 0;
  private notes: string[] = [];
  /** Models chosen through the panel and providers passed to the command: offered after the settings' and the workspace's. */
  private readonly extra: ProviderEntry[] = [];
  /** The latest reading of the spec and the providers (one at a time, in order). */
  private loading: Promise<void> = Promise.resolve();
  private readonly rendered: Promise<void>;
  private markRendered!: () => void;

  constructor(
    readonly specPath: string,
    private readonly panel: vscode.WebviewPanel,
    readonly env: IclEnvironment,
    revived?: { saved: SavedSection<'icl'> | undefined; seenRun: number },
  ) {
    super();
    this.spec = { path: specPath, name: path.basename(specPath), fromSelection: this.fromSelection(), labels: [], demonstrations: 0, queries: 0, unavailable: {} };
    this.runs = this._register(new SectionController('icl', (m) => this.post(m), env.output));
    if (revived) this.runs.restore(revived.saved, revived.seenRun);
    this._register(this.runs.onDidChangeResult(() => void env.store.save(specPath, { icl: this.runs.saved() })));
    this.rendered = new Promise((resolve) => (this.markRendered = resolve));
    panel.webview.options = webviewOptions(env.extensionUri);
    panel.webview.html = renderShell(panel.webview, env.extensionUri, panel.title);
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel.onDidDispose(() => this.dispose()));
    void this.refresh();
  }

  /**
   * A new webview panel for a spec, where the Model Lens panels are (never a third column). It
   * keeps the focus where it is: the command's questions come next, and the spec's editor stays active.
   */
  static createWebviewPanel(specPath: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(ICL_PANEL_VIEW_TYPE, `ICL: ${title}`, { viewColumn: newPanelColumn(isIclPanelTab), preserveFocus: true }, webviewOptions(extensionUri));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    return panel;
  }

  private fromSelection(): boolean {
    return path.dirname(this.specPath) === this.env.selectionDir;
  }

  /** Reads the spec again and the providers; sends both. */
  refresh(): Promise<void> {
    return this.queue(async () => {
      this.spec = await this.readSpec();
      this.post({ type: 'iclSpec', spec: this.spec });
      await this.loadProviders();
    });
  }

  /** The providers again (settings or trust changed). */
  refreshProviders(): Promise<void> {
    return this.queue(() => this.loadProviders());
  }

  /** Runs `work` after the readings already asked for, so the latest settings win. */
  private queue(work: () => Promise<void>): Promise<void> {
    const next = this.loading.then(work);
    this.loading = next.catch((err: unknown) => this.env.output.error(`ICL panel of ${this.specPath}: ${err instanceof Error ? err.message : String(err)}`));
    return next;
  }

  private async loadProviders(): Promise<void> {
    const current = this.providers[this.selected]?.provider;
    const { entries, preferred, notes } = await providerChoices(this.env.settings(), this.env.trusted(), this.extra);
    this.providers = entries;
    this.notes = notes;
    this.preferred = preferred;
    const kept = entries.findIndex((e) => e.provider === current);
    this.selected = kept >= 0 ? kept : preferred;
    this.postProviders();
  }

  private postProviders(): void {
    const providers = this.providers.map(({ label, kind, detail }) => ({ label, kind, detail }));
    this.post({ type: 'iclProviders', providers, selected: this.selected, notes: this.notes });
  }

  /** The spec as the panel shows it: what it holds and which variants it can build; a spec that does not parse is one line. */
  private async readSpec(): Promise<IclSpecView> {
    const name = path.basename(this.specPath);
    const base: IclSpecView = { path: this.specPath, name, fromSelection: this.fromSelection(), labels: [], demonstrations: 0, queries: 0, unavailable: {} };
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(this.specPath))).toString('utf8');
    } catch (err) {
      return { ...base, problem: `Cannot read ${name}: ${err instanceof Error ? err.message : String(err)}` };
    }
    try {
      const spec = parseSpec(text, name);
      const unavailable: IclSpecView['unavailable'] = {};
      for (const variant of ICL_VARIANTS) {
        try {
          checkVariants(spec, [variant], name);
        } catch (err) {
          if (err instanceof SpecError) unavailable[variant] = err.message;
        }
      }
      return {
        ...base,
        // A selection's spec is named by what it came from (its description says so).
        name: base.fromSelection && spec.description ? spec.description : name,
        ...(spec.description ? { description: spec.description } : {}),
        template: spec.template,
        labels: spec.labels,
        demonstrations: spec.demonstrations.length,
        queries: spec.queries.length,
        unavailable,
      };
    } catch (err) {
      return { ...base, problem: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The spec and the providers once read, for the command's questions: `preferred` is the settings' choice. */
  async ready(): Promise<{ spec: IclSpecView; providers: ProviderEntry[]; selected: number; preferred: number; notes: string[] }> {
    await this.loading;
    return { spec: this.spec, providers: this.providers, selected: this.selected, preferred: this.preferred, notes: this.notes };
  }

  /** Offers `provider` (a command's argument) in the list and selects it. */
  useProvider(provider: string, model: string | undefined): ProviderEntry {
    const settingsModel = model ?? this.env.settings().model;
    const entry = providerEntry(provider, splitProvider(provider).kind === 'local' ? undefined : settingsModel, 'passed to the command');
    const index = this.providers.findIndex((e) => e.provider === entry.provider && e.model === entry.model);
    if (index >= 0) {
      this.selected = index;
    } else {
      this.extra.push(entry);
      this.providers.push(entry);
      this.selected = this.providers.length - 1;
    }
    this.postProviders();
    return this.providers[this.selected];
  }

  /**
   * Runs the comparison with a provider (the request's, else the panel's selected one) and shows it
   * in the panel. Rejects with an EngineError (CANCELLED when cancelled or superseded), which the
   * panel shows as one line.
   */
  async compare(request: IclRunRequest): Promise<IclResult> {
    await this.loading;
    const entry = request.provider ? this.useProvider(request.provider, request.model) : this.providers[this.selected];
    if (!entry) throw new EngineError('BAD_REQUEST', this.notes.join(' ') || 'No language model to compare with.');
    const task = this.task(entry, this.providers.indexOf(entry), request.options);
    const result = await this.runs.run(task);
    this.env.output.info(`ICL comparison of ${this.spec.name} on ${entry.label}: ${summaryLine(result)} in ${Math.round(result.ms)} ms`);
    result.warnings.forEach((w) => this.env.output.warn(`ICL comparison of ${this.spec.name}: ${w}`));
    return result;
  }

  private task(entry: ProviderEntry, index: number, options: IclPanelOptions): SectionTask<'icl'> {
    return {
      options,
      // The provider string (a model's path or an endpoint's URL) stands for the run's input: a reload re-points the form at it.
      inputPath: entry.provider,
      input: index,
      inputLabel: entry.label,
      name: 'ICL comparison',
      title: `Model Lens: comparing ${this.spec.name} on ${entry.label}`,
      execute: async (token, report) => {
        if (entry.kind === 'local' && !this.env.trusted()) throw new EngineError('BAD_REQUEST', 'Local models load only in a trusted workspace: trust it, or use an endpoint from your user settings.');
        await saveIfDirty(this.specPath);
        const url = entry.kind === 'local' ? undefined : splitProvider(entry.provider).target;
        const apiKey = url ? await this.env.keys.get(url) : undefined;
        const params = { ...options, specPath: this.specPath, provider: entry.provider, ...(entry.model ? { model: entry.model } : {}), ...(apiKey ? { apiKey } : {}) };
        try {
          return await this.env.engine.request('icl', params, token, report);
        } catch (err) {
          // A refused key: say where one is set (the message itself never holds the key: the engine masks it).
          if (err instanceof EngineError && url && /^HTTP 401\b/.test(err.message)) {
            throw new EngineError(err.code, `${err.message} (${apiKey ? 'the key stored for' : 'no key is stored for'} ${endpointOrigin(url)}: Model Lens: Set API Key)`);
          }
          throw err;
        }
      },
    };
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn, true);
  }

  whenRendered(): Promise<void> {
    return this.rendered;
  }

  describe(): IclPanelState {
    const { name, problem, fromSelection, unavailable } = this.spec;
    const state: IclPanelState = {
      spec: { name, fromSelection, unavailable, ...(problem ? { problem } : {}) },
      providers: this.providers.map((p) => p.label),
      selected: this.selected,
      notes: this.notes,
      history: this.runs.historyRuns(),
    };
    const shown = this.runs.state();
    if (!shown) return state;
    Object.assign(state, runState(shown));
    if (shown.progress) state.progress = shown.progress;
    const m = shown.message;
    if (m.type === 'sectionResult') {
      const variants = Object.fromEntries(Object.entries(m.result.variants).map(([v, r]) => [v, { accuracy: r.accuracy, flipFollowingRate: r.flipFollowingRate }]));
      state.result = { provider: m.result.provider, model: m.result.model, requests: m.result.requests, variants };
    }
    return state;
  }

  private post(message: ToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  /** A message from the webview (or, through the API, one a test sends as if it were the webview). */
  receive(raw: unknown): boolean {
    const message = fromWebview(raw, this.env.output, 'ICL panel');
    if (message) this.handle(message);
    return !!message;
  }

  private handle(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.post(workspaceFoldersMessage());
        this.post({ type: 'iclSpec', spec: this.spec });
        this.postProviders();
        this.runs.replay((provider) => this.providers.findIndex((e) => e.provider === provider));
        return;
      case 'rendered':
        if (message.modelPath === this.specPath) this.markRendered();
        return;
      case 'reload':
        void this.refresh();
        return;
      case 'showLog':
        this.env.output.show();
        return;
      case 'sectionRun':
        if (message.section !== 'icl') return;
        if (!this.providers[message.input ?? -1]) {
          this.env.output.warn(`Ignored an ICL run on provider #${message.input}: the panel offers ${this.providers.length}.`);
          return;
        }
        this.selected = message.input!;
        this.compare({ options: message.options }).catch(() => undefined);
        return;
      case 'sectionRecall':
        if (message.section === 'icl') this.runs.recall(message.runs);
        return;
      case 'sectionCancel':
        if (message.section === 'icl') this.runs.cancel();
        return;
      case 'sectionRendered':
        if (message.section === 'icl') this.runs.markRendered(message.run);
        return;
      case 'iclAction':
        void this.act(message.action);
        return;
      default:
        this.env.output.warn(`Ignored a model panel's message in the ICL panel: ${message.type}`);
    }
  }

  private async act(action: Extract<FromWebview, { type: 'iclAction' }>['action']): Promise<void> {
    switch (action) {
      case 'openSpec':
        await vscode.window.showTextDocument(vscode.Uri.file(this.specPath), { viewColumn: besidePanel(this.panel.viewColumn) });
        return;
      case 'setApiKey':
        await vscode.commands.executeCommand('modelLens.setApiKey');
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'modelLens.icl');
        return;
      case 'chooseProvider': {
        const model = await chooseLanguageModel(this.env.trusted());
        if (!model) return;
        this.useProvider(`local:${model}`, undefined);
        return;
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.runs.cancel();
    super.dispose();
    this.panel.dispose();
  }
}

/** "original 100% · flipped: follows 100%" for the log. */
function summaryLine(result: IclResult): string {
  const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
  return Object.entries(result.variants)
    .map(([v, r]) => `${v} accuracy ${pct(r.accuracy)}${r.flipFollowingRate !== null ? `, follows the flip ${pct(r.flipFollowingRate)}` : ''}`)
    .join(' · ');
}

/** The engine reads the spec from disk: an edited, unsaved spec is saved first. */
async function saveIfDirty(specPath: string): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === path.resolve(specPath));
  if (doc?.isDirty) await doc.save();
}

/** A quick pick of the workspace's causal LMs, then any model.json through a file dialog. */
export async function chooseLanguageModel(trusted: boolean): Promise<string | undefined> {
  if (!trusted) {
    void vscode.window.showWarningMessage('Model Lens loads local models only in a trusted workspace.', 'Manage Workspace Trust').then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const models = await workspaceLanguageModels();
  const other = { label: '$(folder-opened) Other model.json…', path: '' };
  const picked = await vscode.window.showQuickPick([...models.map((u) => ({ label: vscode.workspace.asRelativePath(u, false), path: u.fsPath })), other], {
    title: 'Model Lens: a local causal language model',
    placeHolder: 'A TF.js causal LM whose sidecar names the pieces tokenizer',
  });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'TF.js model': ['json'] }, title: 'A TF.js causal language model (model.json)' });
  return chosen?.[0]?.fsPath;
}
