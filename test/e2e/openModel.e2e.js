// End-to-end: a user opens a model through the command palette in a real VS Code workbench
// (code-server + chromium, the extension installed from its .vsix) and reads the summary in
// the webview. Steps run in order on one page; run.js drives them and counts results.
'use strict';

const path = require('path');
const { fatal, palette, retry, sleep } = require('./util');

const COMMAND_TITLE = 'Model Lens: Open Model';
const MODEL_PICK = 'mnist-cnn/model.json';
const BACKENDS = ['tensorflow', 'wasm', 'cpu'];

/** Texts of error dialogs and error notifications currently shown by the workbench. */
async function visibleErrors(page) {
  const texts = [];
  const dialogs = page.locator('.monaco-dialog-box');
  for (const t of await dialogs.allInnerTexts().catch(() => [])) texts.push(`dialog: ${t.replace(/\s+/g, ' ').trim()}`);
  const toasts = page.locator('.notification-toast, .notifications-center .notification-list-item').filter({
    has: page.locator('.codicon-error, .codicon-notifications-error'),
  });
  for (const t of await toasts.allInnerTexts().catch(() => [])) texts.push(`notification: ${t.replace(/\s+/g, ' ').trim()}`);
  return texts;
}

/** The (nested, cross-origin) frame of the Model Lens webview: the one holding the summary. */
async function findModelLensFrame(page, timeoutMs) {
  return retry('find the Model Lens webview frame', timeoutMs, async () => {
    const errors = (await visibleErrors(page)).filter((e) => /model ?lens|model\.json/i.test(e));
    if (errors.length) throw fatal(`the workbench shows an error instead of the model: ${errors.join(' || ')}`);
    for (const frame of page.frames()) {
      const el = await frame.$('[data-testid="summary-format"]').catch(() => null);
      if (el) return frame;
    }
    throw new Error('no frame has [data-testid="summary-format"] yet');
  });
}

function steps({ resultsDir }) {
  const state = {};
  return [
    {
      name: 'the workbench loads with the examples/ workspace',
      async run({ page, url }) {
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
        // Show the Explorer (examples/ tree) so that the screenshots show the workspace.
        const explorer = page.locator('.explorer-folders-view').first();
        await retry('show the Explorer', 60_000, async () => {
          if (!(await explorer.isVisible())) await page.locator('.activitybar .codicon-explorer-view-icon').first().click();
          await explorer.waitFor({ state: 'visible', timeout: 5_000 });
        });
      },
    },
    {
      name: `"${COMMAND_TITLE}" is in the command palette and shows a quick pick of models`,
      async run({ page }) {
        await palette(page, COMMAND_TITLE, undefined, { focus: true });
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: MODEL_PICK }).first();
        await row.waitFor({ state: 'visible', timeout: 60_000 });
        state.pickLabels = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
        await row.click();
      },
    },
    {
      name: 'the webview shows the model summary (format, parameters, backend)',
      async run({ page }) {
        // textContent, not innerText: CSS may upper-case labels (text-transform).
        const frame = await findModelLensFrame(page, 120_000);
        state.frame = frame;
        await retry('summary-format to read "layers-model"', 120_000, async () => {
          const text = (await frame.locator('[data-testid="summary-format"]').textContent()).trim();
          if (text !== 'layers-model') throw new Error(`summary-format is ${JSON.stringify(text)}`);
        });
        const params = (await frame.locator('[data-testid="summary-params"]').textContent()).trim();
        state.params = params;
        if (!/^\d{1,3}(,\d{3})*$/.test(params) || Number(params.replace(/,/g, '')) <= 0) {
          throw new Error(`summary-params ${JSON.stringify(params)} is not a positive count with thousands separators`);
        }
        const backend = (await frame.locator('[data-testid="summary-backend"]').textContent()).trim();
        state.backend = backend;
        if (!BACKENDS.some((b) => backend.includes(b))) throw new Error(`summary-backend is ${JSON.stringify(backend)}`);
      },
    },
    {
      name: 'the layers table lists the layers, conv1 included',
      async run() {
        const frame = state.frame;
        if (!frame) throw new Error('no webview (previous step failed)');
        const rows = frame.locator('[data-testid="layers-table"] tbody tr');
        await retry('layers-table rows', 30_000, async () => {
          if ((await rows.count()) === 0) throw new Error('layers-table has no body rows');
        });
        state.layers = await rows.evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td, th')].map((c) => (c.textContent || '').replace(/\s+/g, ' ').trim()).join(' | ')),
        );
        if (!state.layers.some((t) => t.split(' | ').includes('conv1'))) {
          throw new Error(`no conv1 row in layers-table: ${JSON.stringify(state.layers.slice(0, 10))}`);
        }
      },
    },
    {
      name: 'the editor tab and the status bar show Model Lens',
      async run({ page }) {
        await page.locator('.tab', { hasText: 'Model Lens: mnist-cnn' }).first().waitFor({ timeout: 30_000 });
        const status = page.locator('.statusbar-item', { hasText: new RegExp(BACKENDS.join('|')) }).first();
        await status.waitFor({ timeout: 30_000 });
        state.statusBar = (await status.innerText()).trim();
        // The workbench may have switched the side bar to Extensions (fresh install): show the Explorer.
        const explorer = page.locator('.explorer-folders-view').first();
        if (!(await explorer.isVisible())) {
          await page.locator('.activitybar .codicon-explorer-view-icon').first().click().catch(() => undefined);
          await explorer.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
        }
        await page.mouse.move(1100, 950); // away from the activity bar: no tooltip in the picture
        await sleep(800);
        await page.screenshot({ path: path.join(resultsDir, 'open-model.png') });
        const webview = page.locator('iframe.webview.ready').last();
        await webview.screenshot({ path: path.join(resultsDir, 'open-model-webview.png') }).catch(() => undefined);
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, visibleErrors, COMMAND_TITLE, MODEL_PICK };
