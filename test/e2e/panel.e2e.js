// End-to-end (issue 11): the panel an ML engineer expects, in the real workbench. Save PNG writes
// the panel's own pixels with a colour bar to the workspace's output folder; a changed control
// keeps the keyboard focus and every action is reachable by Tab; Compare methods draws a grid of
// heatmaps with colour bars and faithfulness numbers (one shared scale on request); the history
// lists the runs, shows one again, and two side by side; the deletion curve is labelled; text is
// shown inline with signed token highlights; the iris influence galleries fit a half-width panel,
// with influence functions and TracIn side by side and why they differ; self-influence is not drawn
// in the colour of good; text keeps WCAG AA contrast in the light and the dark theme, and charts
// re-theme live; the history survives a window reload.
// Screenshots: test-results/compare-grid.png, history.png, deletion-curve.png, text-inline.png,
// influence-iris-half.png, theme-dark.png, export.png (the saved picture, copied).
'use strict';

const fs = require('fs');
const path = require('path');
const { PNG } = require('pngjs');
const { choose, contrastFailures, failIfShown, modelFrame, palette, pick, retry, sleep } = require('./util');

const SCREENSHOTS = ['compare-grid.png', 'history.png', 'deletion-curve.png', 'text-inline.png', 'influence-vs-tracin.png', 'influence-iris-half.png', 'theme-dark.png', 'export.png'];
const MNIST = 'mnist-cnn/model.json';
const IRIS = 'iris-mlp/model.json';
const TEXT = 'text-sentiment/model.json';

async function showPanel(page, model, testId) {
  await palette(page, 'Model Lens: Open Model', model);
  await pick(page, model);
  return modelFrame(page, model, testId);
}

/** The data-testid of the element focused in the frame. */
const focusedTestId = (frame) => frame.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

async function inViewport(frame, testId) {
  return frame.locator(`[data-testid="${testId}"]`).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top < window.innerHeight && r.bottom > 0;
  });
}

function steps({ resultsDir, shared, workspace }) {
  const state = shared;
  const outputDir = path.join(workspace, 'model-lens-output');
  return [
    {
      name: "Save PNG… suggests the workspace's output folder and writes the panel's pixels with a colour bar",
      async run({ page }) {
        fs.rmSync(outputDir, { recursive: true, force: true });
        const frame = await showPanel(page, MNIST, 'heatmap-canvas');
        const method = (await frame.locator('[data-testid="explain-result-method"]').textContent()).trim();
        if (method !== 'Integrated Gradients') throw new Error(`the panel shows ${method}, not the IG run the explain steps left`);
        const canvas = await frame.locator('[data-testid="heatmap-canvas"]').evaluate((c) => c.toDataURL('image/png'));
        await frame.locator('[data-testid="export-png"]').click();
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 20_000 });
        // The simple dialog fills its box in two steps (the folder, then the file name).
        await retry('the suggested file', 10_000, async () => {
          const suggested = await input.inputValue();
          if (!/model-lens-output\/digit-7-0-integrated-gradients\.png$/.test(suggested)) throw new Error(`the save dialog suggests ${suggested}`);
        });
        await page.keyboard.press('Enter');
        const file = path.join(outputDir, 'digit-7-0-integrated-gradients.png');
        await retry('the saved PNG', 20_000, async () => {
          if (!fs.existsSync(file)) throw new Error(`${file} is not there`);
        });
        fs.copyFileSync(file, path.join(resultsDir, 'export.png'));
        await palette(page, 'Notifications: Clear All Notifications'); // the "saved" toast would cover later screenshots
        // The panel's heatmap, pixel for pixel (nearest neighbour, not resampled), somewhere below the title.
        const saved = PNG.sync.read(fs.readFileSync(file));
        const heat = PNG.sync.read(Buffer.from(canvas.split(',')[1], 'base64'));
        const row = (img, x, y, w) => img.data.subarray((y * img.width + x) * 4, (y * img.width + x + w) * 4);
        let top = -1;
        for (let y = 0; y + heat.height <= saved.height && top < 0; y++) if (Buffer.compare(row(saved, 16, y, heat.width), row(heat, 0, 0, heat.width)) === 0) top = y;
        if (top < 0) throw new Error(`the saved ${saved.width}×${saved.height} PNG does not hold the panel's ${heat.width}×${heat.height} heatmap`);
        for (let y = 0; y < heat.height; y++) {
          if (Buffer.compare(row(saved, 16, top + y, heat.width), row(heat, 0, y, heat.width)) !== 0) throw new Error(`row ${y} of the heatmap differs from the panel's`);
        }
        // The colour bar below it: viridis from its dark end (68, 1, 84) to its bright end (253, 231, 37).
        const ramp = (y) => [row(saved, 16, y, 1), row(saved, saved.width - 17, y, 1)];
        let bar = -1;
        for (let y = top + heat.height; y < saved.height && bar < 0; y++) {
          const [a, b] = ramp(y);
          if (Math.abs(a[0] - 68) + Math.abs(a[2] - 84) < 12 && Math.abs(b[0] - 253) + Math.abs(b[1] - 231) < 12) bar = y;
        }
        if (bar < 0) throw new Error('the saved PNG has no colour bar below the heatmap');
        state.exported = { size: [saved.width, saved.height], heatmapTop: top, colourBarAt: bar };
      },
    },
    {
      name: 'changing a control with the keyboard keeps its focus; Tab reaches every action',
      async run({ page }) {
        const frame = await modelFrame(page, MNIST);
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        const methodBox = frame.locator('[data-testid="explain-method"]');
        await methodBox.focus();
        const before = await methodBox.evaluate((el) => el.dataset.value);
        await page.keyboard.press('ArrowDown'); // the toolkit's dropdown selects the next method: the form is redrawn
        await retry('the method to change', 10_000, async () => {
          const now = await frame.locator('[data-testid="explain-method"]').evaluate((el) => el.dataset.value);
          if (now === before) throw new Error(`still ${now}`);
        });
        await sleep(300);
        const focused = await focusedTestId(frame);
        if (focused !== 'explain-method') throw new Error(`after the change the focus is on ${focused}, not the method dropdown`);
        await page.keyboard.press('ArrowUp'); // back to Integrated Gradients
        await sleep(300);
        const reached = new Set();
        for (let i = 0; i < 80; i++) {
          await page.keyboard.press('Tab');
          const id = await focusedTestId(frame);
          if (id) reached.add(id);
        }
        const wanted = ['explain-run', 'explain-compare-toggle', 'heatmap-colormap', 'heatmap-opacity', 'heatmap-signed', 'export-png', 'export-json'];
        const missing = wanted.filter((w) => !reached.has(w));
        if (missing.length) throw new Error(`Tab never reached ${missing.join(', ')}; reached ${[...reached].join(', ')}`);
        state.keyboard = [...reached].slice(0, 30);
      },
    },
    {
      name: 'a run started from a command shows progress in its section and scrolls its result into view',
      async run({ page }) {
        let frame = await modelFrame(page, MNIST);
        await frame.evaluate(() => window.scrollTo(0, 0));
        const before = Number(await frame.locator('[data-testid="explain-result"]').first().getAttribute('data-run'));
        await palette(page, 'Model Lens: Explain Input', MNIST);
        await pick(page, MNIST);
        await pick(page, 'mnist-cnn/samples/digit-3-0.png');
        frame = await modelFrame(page, MNIST);
        await retry('the new result, on screen', 60_000, async () => {
          await failIfShown(frame, 'explain-error');
          const run = Number(await frame.locator('[data-testid="explain-result"]').first().getAttribute('data-run', { timeout: 1000 }));
          if (!(run > before)) throw new Error(`result of run ${run}`);
          if (!(await inViewport(frame, 'explain-result'))) throw new Error('the new result is below the fold');
        });
        const toasts = await page.locator('.notification-toast').allInnerTexts();
        if (toasts.some((t) => /Integrated Gradients on digit-3-0/.test(t))) throw new Error(`a short run showed a notification: ${toasts.join(' | ')}`);
        state.scrolled = await frame.evaluate(() => Math.round(window.scrollY));
      },
    },
    {
      name: 'Compare methods: a grid of heatmaps, each with its colour bar and faithfulness numbers; one shared scale on request',
      async run({ page }) {
        const frame = await modelFrame(page, MNIST);
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        await choose(frame, 'explain-input', 'samples/digit-7-0.png');
        if (!(await frame.locator('[data-testid="explain-compare-row"]').count())) await frame.locator('[data-testid="explain-compare-toggle"]').click();
        await frame.locator('[data-testid="explain-compare-run"]').click();
        const cards = frame.locator('[data-testid="explain-compare"] [data-testid="explain-card"]');
        await retry('five drawn cards', 240_000, async () => {
          await failIfShown(frame, 'explain-error');
          const drawn = await frame.locator('[data-testid="explain-compare"] [data-testid="card-canvas"][data-drawn]').count();
          if ((await cards.count()) !== 5 || drawn !== 5) throw new Error(`${await cards.count()} cards, ${drawn} drawn`);
        });
        const titles = await frame.locator('[data-testid="explain-compare"] .compare-card h4').allTextContents();
        for (const m of ['Gradient', 'Integrated Gradients', 'SmoothGrad', 'Grad-CAM', 'Occlusion']) {
          if (!titles.some((t) => t.trim() === m)) throw new Error(`no card for ${m}: ${JSON.stringify(titles)}`);
        }
        const numbers = await frame.locator('[data-testid="explain-compare"] [data-testid="card-numbers"]').allInnerTexts();
        if (!numbers.every((n) => /Deletion AUC\s+0\.\d{3}\s+0\.\d{3}/.test(n) && /Insertion AUC\s+0\.\d{3}\s+0\.\d{3}/.test(n) && /Max-sensitivity/.test(n))) throw new Error(`cards without faithfulness numbers: ${JSON.stringify(numbers)}`);
        if ((await frame.locator('[data-testid="explain-compare"] [data-testid="card-colorbar"]').count()) !== 5) throw new Error('not every card has its colour bar');
        const aucs = await frame.locator('[data-testid="compare-auc-chart"]').getAttribute('data-series');
        if (!/^deletion AUC .* \| insertion AUC .* \| random deletion 0\.\d{3} \| random insertion 0\.\d{3}$/.test(aucs)) throw new Error(`AUC chart legend: ${aucs}`);
        const own = await frame.locator('[data-testid="card-colorbar"] .color-bar-ticks').allInnerTexts();
        await frame.locator('[data-testid="explain-compare"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(500);
        await frame.locator('[data-testid="explain-compare"]').screenshot({ path: path.join(resultsDir, 'compare-grid.png') });
        await frame.locator('[data-testid="compare-shared-scale"]').click();
        await retry('one scale for every card', 20_000, async () => {
          const ticks = await frame.locator('[data-testid="card-colorbar"] .color-bar-ticks').allInnerTexts();
          if (ticks.length !== 5 || new Set(ticks).size !== 1) throw new Error(`ticks ${JSON.stringify(ticks)}`);
          const unit = await frame.locator('[data-testid="card-colorbar"] .color-bar-unit').first().textContent();
          if (!/share of the map's total/.test(unit)) throw new Error(`unit ${unit}`);
        });
        if (new Set(own).size === 1) throw new Error(`each map on its own scale showed one scale: ${JSON.stringify(own)}`);
        await frame.locator('[data-testid="compare-shared-scale"]').click(); // back to each map's own scale
        state.compare = { titles, numbers: numbers.map((n) => n.replace(/\s+/g, ' ')) };
      },
    },
    {
      name: 'the history lists the runs; one shows again by keyboard, two side by side',
      async run({ page }) {
        const frame = await modelFrame(page, MNIST, 'explain-history');
        const entries = frame.locator('[data-testid="explain-history"] .history-entry');
        const texts = (await entries.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
        if (!/^#\d+\s*Compare: Gradient, Integrated Gradients, SmoothGrad, Grad-CAM, Occlusion · target class 7/.test(texts[0])) throw new Error(`the newest entry is ${texts[0]}`);
        if (!texts.some((t) => /#\d+\s*Integrated Gradients · target class 7\b.* · .*digit-7-0\.png · \d/.test(t))) throw new Error(`no IG entry with its target, input and time: ${JSON.stringify(texts)}`);
        // Two single runs side by side.
        const ticks = frame.locator('[data-testid="explain-history"] vscode-checkbox');
        await ticks.nth(0).click();
        await ticks.nth(1).click();
        await frame.locator('[data-testid="explain-history-compare"]').click();
        await retry('two runs side by side', 20_000, async () => {
          const n = await frame.locator('[data-testid="explain-recalled"] [data-testid="explain-card"]').count();
          if (n !== 2) throw new Error(`${n} cards`);
        });
        // The history list at the top of the panel, the two runs below it (the whole panel as the user sees it).
        await frame.locator('[data-testid="explain-history"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await page.mouse.move(1100, 980);
        await sleep(500);
        await page.screenshot({ path: path.join(resultsDir, 'history.png') });
        // One run again, from the keyboard.
        await entries.nth(1).focus();
        await page.keyboard.press('Enter');
        await retry('the run shown again', 20_000, async () => {
          const banner = await frame.locator('[data-testid="explain-recalled"] .recalled-banner').textContent({ timeout: 1000 });
          if (!/Showing run #\d+/.test(banner)) throw new Error(banner);
        });
        state.history = { entries: texts.length, first: texts[0] };
        await frame.locator('[data-testid="explain-back-to-latest"]').click();
      },
    },
    {
      name: "Grad-CAM says how coarse its map is, and why an all-zero map gets no metrics",
      async run({ page }) {
        const frame = await modelFrame(page, MNIST);
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        await choose(frame, 'explain-input', 'samples/digit-7-0.png');
        await choose(frame, 'explain-method', 'Grad-CAM');
        await choose(frame, 'explain-layer', 'conv1');
        const metrics = frame.locator('[data-testid="explain-metrics"]');
        if (!(await metrics.evaluate((el) => el.checked))) await metrics.click();
        const newest = Math.max(...(await frame.locator('[data-testid="explain-history"] .history-entry').evaluateAll((els) => els.map((e) => Number(e.dataset.testid.split('-').pop())))));
        await frame.locator('[data-testid="explain-run"]').click();
        await retry('the Grad-CAM result', 60_000, async () => {
          await failIfShown(frame, 'explain-error');
          const run = Number(await frame.locator('[data-testid="explain-result"]').first().getAttribute('data-run', { timeout: 1000 }));
          if (!(run > newest)) throw new Error(`result of run ${run}`);
        });
        const note = await frame.locator('[data-testid="gradcam-note"]').textContent();
        if (!/^26×26 map at conv1 upsampled to 28×28/.test(note)) throw new Error(`note: ${note}`);
        const skipped = await frame.locator('[data-testid="metrics-skipped"]').textContent();
        if (!/Grad-CAM's map at conv1 is zero everywhere/.test(skipped) || !/no positive gradient evidence/.test(skipped)) throw new Error(`skipped: ${skipped}`);
        if (await frame.locator('[data-testid="explain-metrics-result"]').count()) throw new Error('metrics drawn for an all-zero map');
        state.gradCamZero = { note, skipped };
      },
    },
    {
      name: 'the deletion curve has its axes, ticks, the random ordering and the AUCs in its legend',
      async run({ page }) {
        const frame = await modelFrame(page, MNIST);
        await choose(frame, 'explain-method', 'Integrated Gradients');
        await frame.locator('[data-testid="explain-compare-toggle"]').click(); // hide the comparison row
        const metrics = frame.locator('[data-testid="explain-metrics"]');
        if (!(await metrics.evaluate((el) => el.checked))) await metrics.click();
        const newest = Math.max(...(await frame.locator('[data-testid="explain-history"] .history-entry').evaluateAll((els) => els.map((e) => Number(e.dataset.testid.split('-').pop())))));
        await frame.locator('[data-testid="explain-run"]').click();
        const chart = frame.locator('[data-testid="deletion-chart"]');
        await retry('the deletion chart of a new run', 120_000, async () => {
          await failIfShown(frame, 'explain-error');
          const run = Number(await frame.locator('[data-testid="explain-result"]').getAttribute('data-run', { timeout: 1000 }));
          if (!(run > newest) || !(await chart.count())) throw new Error(`result of run ${run}, waiting for one after ${newest}`);
        });
        const series = await chart.getAttribute('data-series');
        const axes = await chart.getAttribute('data-axes');
        if (!/^Integrated Gradients · AUC 0\.\d{3} \| random order · AUC 0\.\d{3}$/.test(series)) throw new Error(`legend: ${series}`);
        if (axes !== 'x: fraction of features removed; y: p(7)') throw new Error(`axes: ${axes}`);
        const ink = await chart.locator('canvas').evaluate((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n / (d.length / 4);
        });
        if (ink < 0.02) throw new Error(`the chart canvas is nearly empty (${ink})`);
        if (!/Max-sensitivity [\d.e-]+: .*±[\d.e-]+ \(2% of the input's value range\)/.test(await frame.locator('[data-testid="max-sensitivity"]').textContent())) throw new Error('max-sensitivity lacks its radius');
        await frame.locator('[data-testid="explain-metrics-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(400);
        await frame.locator('[data-testid="explain-metrics-result"]').screenshot({ path: path.join(resultsDir, 'deletion-curve.png') });
        state.deletion = { series, axes };
      },
    },
    {
      name: 'text is shown inline, each token on its signed attribution, padding hidden; sample cards show the sentence',
      async run({ page }) {
        await palette(page, 'Model Lens: Explain Input', TEXT);
        await pick(page, TEXT);
        const sample = page.locator('.quick-input-list .monaco-list-row', { hasText: 'mixed-superb-terrible.txt' }).first();
        await sample.waitFor({ state: 'visible', timeout: 60_000 });
        const offered = (await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
        const wrong = offered.filter((t) => !/\.txt$|Choose file/.test(t));
        if (wrong.length) throw new Error(`the text model was offered ${wrong.join(', ')}`);
        await sample.click();
        const frame = await modelFrame(page, TEXT, 'token-view');
        // The result scrolled into view by itself.
        if (!(await retry('the result in view', 10_000, async () => {
          if (!(await inViewport(frame, 'explain-result'))) throw new Error('the new result is not on screen');
          return true;
        }))) throw new Error('unreachable');
        const tokens = await frame.locator('[data-testid="token-view"] .token').allTextContents();
        if (tokens.join(' ') !== 'the popcorn was superb but the ending was terrible') throw new Error(`tokens: ${JSON.stringify(tokens)}`);
        if (!/7 padding positions/.test(await frame.locator('[data-testid="token-padding"]').textContent())) throw new Error('the padding note is missing');
        const values = await frame.locator('[data-testid="token-view"] .token').evaluateAll((els) => els.map((e) => Number(e.dataset.value)));
        const superb = values[tokens.indexOf('superb')];
        const terrible = values[tokens.indexOf('terrible')];
        if (!(Math.sign(superb) !== Math.sign(terrible))) throw new Error(`superb ${superb} and terrible ${terrible} have the same sign: not signed`);
        const meaning = await frame.locator('[data-testid="token-colorbar"] .color-bar-meaning').textContent();
        if (!/red: raises p\(\w+\) · blue: lowers p\(\w+\)/.test(meaning)) throw new Error(`colour bar: ${meaning}`);
        const sentences = await frame.locator('[data-testid="sample-text"]').allTextContents();
        if (!sentences.some((s) => s.includes('the popcorn was superb but the ending was terrible'))) throw new Error(`sample cards: ${JSON.stringify(sentences)}`);
        await page.mouse.move(1100, 980);
        await sleep(400);
        await frame.locator('[data-testid="explain"]').screenshot({ path: path.join(resultsDir, 'text-inline.png') });
        state.text = { tokens: tokens.length, superb, terrible };
      },
    },
    {
      name: 'iris: raw values beside signed bars, the IG baseline warning; influence functions vs TracIn side by side in a half-width panel',
      async run({ page }) {
        let frame = await showPanel(page, IRIS, 'influence');
        // IG on the versicolor sample: the mean-flower baseline already scores it; the panel says so.
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        await choose(frame, 'explain-input', 'versicolor.csv');
        await choose(frame, 'explain-method', 'Integrated Gradients');
        await frame.locator('[data-testid="explain-run"]').click();
        await retry('the IG warning', 60_000, async () => {
          await failIfShown(frame, 'explain-error');
          const w = await frame.locator('[data-testid="ig-warning"]').textContent({ timeout: 1000 });
          if (!/already scores p\(versicolor\)/.test(w) || !/uniform-noise baseline/.test(w)) throw new Error(w);
        });
        const raw = await frame.locator('[data-testid="feature-raw"]').allTextContents();
        if (raw.join(',') !== '6.9,3.1,4.9,1.5') throw new Error(`raw values ${raw}`);
        // Both methods on the same input, side by side (three of each side, so the picture fits the screen).
        await frame.locator('[data-testid="influence"]').scrollIntoViewIfNeeded();
        await choose(frame, 'influence-method', 'Influence functions');
        await choose(frame, 'influence-input', 'versicolor.csv');
        await frame.locator('[data-testid="influence-top"] input').fill('3').catch(async () => {
          await frame.locator('[data-testid="influence-top"]').click();
          await page.keyboard.type('3');
        });
        await frame.locator('[data-testid="influence-vs-tracin"]').click();
        await retry('influence functions beside TracIn', 240_000, async () => {
          await failIfShown(frame, 'influence-error');
          const n = await frame.locator('[data-testid="influence-compare"] [data-testid="influence-result"]').count();
          if (n !== 2) throw new Error(`${n} results side by side`);
        });
        const note = await frame.locator('[data-testid="influence-compare"] [data-testid="compare-note"]').textContent();
        if (!/Why they can differ/.test(note) || !/checkpoints/.test(note) || !/λ =/.test(note)) throw new Error(`note: ${note}`);
        await frame.locator('[data-testid="influence-compare"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(400);
        await frame.locator('[data-testid="influence-compare"] .compare-cards').screenshot({ path: path.join(resultsDir, 'influence-vs-tracin.png') });
        // Open a proponent: train.csv opens beside the panel, which now has half the width.
        await frame.locator('[data-testid="influence-compare"] [data-testid="influence-example"]').first().click();
        await page.locator('.tab', { hasText: 'train.csv' }).first().waitFor({ timeout: 30_000 });
        frame = await modelFrame(page, IRIS, 'influence-compare');
        // One method alone, in the half-width panel: the test input on top, then the galleries.
        const before = Number(await frame.locator('[data-testid="influence-compare"] [data-testid="influence-result"]').last().getAttribute('data-run'));
        await frame.locator('[data-testid="influence-run"]').click();
        await retry('the influence result', 120_000, async () => {
          await failIfShown(frame, 'influence-error');
          const run = Number(await frame.locator('.latest-result [data-testid="influence-result"]').getAttribute('data-run', { timeout: 1000 }));
          if (!(run > before)) throw new Error(`run ${run}`);
        });
        await sleep(500);
        const layout = await frame.evaluate(() => {
          const result = document.querySelector('.latest-result [data-testid="influence-result"]');
          const overlaps = [];
          for (const gallery of result.querySelectorAll('.gallery, .influence-test')) {
            const c = gallery.getBoundingClientRect();
            for (const el of gallery.querySelectorAll('.example-row, .example')) {
              const r = el.getBoundingClientRect();
              if (r.right > c.right + 1 || r.left < c.left - 1) overlaps.push(`${el.className} ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(c.left)}–${Math.round(c.right)}`);
            }
          }
          return { width: window.innerWidth, overlaps, paths: [...result.querySelectorAll('.explain-facts dd')].map((d) => d.textContent) };
        });
        if (layout.overlaps.length) throw new Error(`rows spill out of their gallery: ${layout.overlaps.join('; ')}`);
        if (layout.paths.some((p) => /(^|[\s(])\/(work|home|tmp)\//.test(p))) throw new Error(`absolute paths shown: ${layout.paths.filter((p) => p.includes('/')).join(' | ')}`);
        if (layout.width > 900) throw new Error(`the panel is ${layout.width}px wide: not half width`);
        const test = await frame.locator('.latest-result [data-testid="influence-test-input"]').innerText();
        if (!/sepal_length/.test(test) || !/Prediction/.test(test) || !/Loss/.test(test)) throw new Error(`test input: ${test}`);
        await frame.locator('.latest-result [data-testid="influence-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(400);
        await frame.locator('.latest-result [data-testid="influence-result"]').screenshot({ path: path.join(resultsDir, 'influence-iris-half.png') });
        // Self-influence: each suspect's label, prediction and loss; its bar is not the proponents' green.
        await choose(frame, 'influence-method', 'Suspicious');
        await frame.locator('[data-testid="influence-run"]').click();
        await retry('the suspects', 120_000, async () => {
          await failIfShown(frame, 'influence-error');
          if (!(await frame.locator('[data-testid="suspicious"] [data-testid="suspect-bar"]').count())) throw new Error('no suspects yet');
        });
        const predictions = await frame.locator('[data-testid="suspicious"] [data-testid="influence-prediction"]').allTextContents();
        if (!predictions.length || !predictions.every((p) => /^predicted \w+ \(\d+%\) · loss /.test(p))) throw new Error(`suspects: ${JSON.stringify(predictions)}`);
        const colours = await frame.evaluate(() => {
          const probe = document.createElement('span');
          probe.className = 'score-bar pos';
          document.body.append(probe);
          const good = getComputedStyle(probe).backgroundColor;
          probe.remove();
          return { good, suspect: getComputedStyle(document.querySelector('[data-testid="suspect-bar"]')).backgroundColor };
        });
        if (colours.good === colours.suspect) throw new Error(`suspects are drawn in the proponents' colour ${colours.good}`);
        state.iris = { width: layout.width, suspects: predictions.length, colours };
      },
    },
    {
      name: 'text keeps WCAG AA contrast in the light and the dark theme; charts re-theme live',
      async run({ page }) {
        const frame = await showPanel(page, MNIST, 'deletion-chart');
        const light = await contrastFailures(frame, '#app');
        const before = await frame.locator('[data-testid="deletion-chart"] canvas').getAttribute('data-foreground');
        await palette(page, 'Preferences: Toggle between Light/Dark Themes');
        const after = await retry('the charts in the new theme', 30_000, async () => {
          const f = await modelFrame(page, MNIST, 'deletion-chart');
          const fg = await f.locator('[data-testid="deletion-chart"] canvas').getAttribute('data-foreground');
          const css = await f.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-foreground').trim());
          if (fg === before || fg !== css) throw new Error(`chart foreground ${fg}, theme ${css}, before ${before}`);
          return { frame: f, fg };
        });
        const dark = await contrastFailures(after.frame, '#app');
        await after.frame.locator('[data-testid="explain-metrics-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(400);
        await page.screenshot({ path: path.join(resultsDir, 'theme-dark.png') });
        if (light.checked < 50 || dark.checked < 50) throw new Error(`the contrast check saw only ${light.checked} and ${dark.checked} texts`);
        if (light.failures.length || dark.failures.length) throw new Error(`below WCAG AA:\n light: ${light.failures.join('\n  ')}\n dark: ${dark.failures.join('\n  ')}`);
        state.theme = { before, after: after.fg, checked: [light.checked, dark.checked] };
      },
    },
    {
      name: 'the history survives a window reload',
      async run({ page }) {
        const frame = await modelFrame(page, MNIST, 'explain-history');
        const count = await frame.locator('[data-testid="explain-history"] .history-entry').count();
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await retry('the history after the reload', 120_000, async () => {
          const f = await modelFrame(page, MNIST, 'explain-history');
          const n = await f.locator('[data-testid="explain-history"] .history-entry').count();
          if (n !== count) throw new Error(`${n} entries, ${count} before the reload`);
        });
        state.reloadedHistory = count;
        fs.rmSync(outputDir, { recursive: true, force: true });
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SCREENSHOTS };
