// End-to-end: in the model panel (opened by openModel.e2e.js's steps), a user picks a sample,
// runs Grad-CAM and then Integrated Gradients, and reads the heatmap, the target and the
// completeness delta; then hovers an image path in a source file and sees the attribution.
// Screenshots: test-results/saliency.png (+ saliency-webview.png, saliency-gradcam-webview.png,
// saliency-target-webview.png, saliency-revived-webview.png), hover.png.
'use strict';

const fs = require('fs');
const path = require('path');
const { choose, failIfShown, palette, pick, retry, sleep } = require('./util');

const SAMPLE = 'samples/digit-7-0.png';
const HOVER_FILE = path.join('mnist-cnn', 'explain_demo.py');

/** Runs the form and waits until the canvas holds the heatmap of a run newer than `afterRun`. */
async function runAndWait(frame, afterRun, timeoutMs = 120_000) {
  await frame.locator('[data-testid="explain-run"]').click();
  return retry('the heatmap of the new run', timeoutMs, async () => {
    await failIfShown(frame, 'explain-error');
    const drawn = Number(await frame.locator('[data-testid="heatmap-canvas"]').getAttribute('data-drawn', { timeout: 1_000 }));
    if (!(drawn > afterRun)) throw new Error(`canvas drawn for run ${drawn}, waiting for > ${afterRun}`);
    return drawn;
  });
}

/** Distinct colours and non-black share of the heatmap canvas: a blank canvas has one colour. */
async function canvasStats(frame) {
  return frame.locator('[data-testid="heatmap-canvas"]').evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, lit: lit / (data.length / 4) };
  });
}

async function text(frame, testId) {
  return ((await frame.locator(`[data-testid="${testId}"]`).first().textContent({ timeout: 5_000 })) || '').replace(/\s+/g, ' ').trim();
}

function steps({ resultsDir, shared, workspace }) {
  const state = shared;
  const hoverPath = path.join(workspace, HOVER_FILE);
  return [
    {
      name: 'the panel has an Explain section with the sidecar samples and the six methods',
      async run() {
        const frame = state.frame;
        if (!frame) throw new Error('no webview (an earlier step failed)');
        await frame.locator('[data-testid="explain"]').waitFor({ timeout: 30_000 });
        const inputs = await frame.locator('[data-testid="explain-input"] vscode-option').allTextContents();
        if (!inputs.some((t) => t.includes(SAMPLE))) throw new Error(`the input dropdown lacks ${SAMPLE}: ${JSON.stringify(inputs)}`);
        if (!inputs.some((t) => /Choose file/.test(t))) throw new Error(`the input dropdown lacks "Choose file…": ${JSON.stringify(inputs)}`);
        const methods = await frame.locator('[data-testid="explain-method"] vscode-option').allTextContents();
        for (const m of ['Gradient', 'Gradient × Input', 'Integrated Gradients', 'SmoothGrad', 'Grad-CAM', 'Occlusion']) {
          if (!methods.map((t) => t.trim()).includes(m)) throw new Error(`the method dropdown lacks ${m}: ${JSON.stringify(methods)}`);
        }
        state.explainInputs = inputs.map((t) => t.trim());
      },
    },
    {
      name: `Grad-CAM on ${SAMPLE} draws a heatmap`,
      async run({ page }) {
        const frame = state.frame;
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        await choose(frame, 'explain-input', SAMPLE);
        await choose(frame, 'explain-method', 'Grad-CAM');
        state.gradCamRun = await runAndWait(frame, 0);
        const method = await text(frame, 'explain-result-method');
        if (!method.startsWith('Grad-CAM')) throw new Error(`the result says ${JSON.stringify(method)}`);
        const stats = await canvasStats(frame);
        if (stats.colours < 10) throw new Error(`the heatmap canvas looks blank: ${JSON.stringify(stats)}`);
        state.gradCam = { method, target: await text(frame, 'explain-result-target'), summary: await text(frame, 'explain-summary'), stats };
        await page.locator('iframe.webview.ready').last().screenshot({ path: path.join(resultsDir, 'saliency-gradcam-webview.png') }).catch(() => undefined);
      },
    },
    {
      name: 'Integrated Gradients with faithfulness metrics: heatmap, target 7, completeness delta, curves',
      async run({ page }) {
        const frame = state.frame;
        await choose(frame, 'explain-method', 'Integrated Gradients');
        const metrics = frame.locator('[data-testid="explain-metrics"]');
        if (!(await metrics.evaluate((el) => el.checked))) await metrics.click();
        state.igRun = await runAndWait(frame, state.gradCamRun || 0);
        const method = await text(frame, 'explain-result-method');
        const target = await text(frame, 'explain-result-target');
        const delta = await text(frame, 'explain-delta');
        if (method !== 'Integrated Gradients') throw new Error(`the result says method ${JSON.stringify(method)}`);
        if (!/^7\b/.test(target)) throw new Error(`the result says target ${JSON.stringify(target)}`);
        if (!Number.isFinite(Number(delta.replace('−', '-')))) throw new Error(`completeness delta ${JSON.stringify(delta)} is not a number`);
        await frame.locator('[data-testid="explain-metrics-result"]').waitFor({ timeout: 10_000 });
        const stats = await canvasStats(frame);
        if (stats.colours < 10) throw new Error(`the heatmap canvas looks blank: ${JSON.stringify(stats)}`);
        state.ig = { method, target, delta, summary: await text(frame, 'explain-summary'), ms: await text(frame, 'explain-ms'), stats };
        await frame.locator('[data-testid="explain-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(500);
        await page.screenshot({ path: path.join(resultsDir, 'saliency.png') });
        await page.locator('iframe.webview.ready').last().screenshot({ path: path.join(resultsDir, 'saliency-webview.png') }).catch(() => undefined);
      },
    },
    {
      name: 'the signed toggle redraws the heatmap without recomputing',
      async run() {
        const frame = state.frame;
        const before = await canvasStats(frame);
        await frame.locator('[data-testid="heatmap-signed"]').click();
        await retry('the signed legend', 10_000, async () => {
          // The colour bar of a signed map: −s … +s, and what each end means.
          const legend = await text(frame, 'heatmap-legend');
          if (!/−[\d.e-]+\s*0\s*\+[\d.e-]+/.test(legend) || !/red: raises p\(7\) · blue: lowers p\(7\)/.test(legend)) throw new Error(`legend: ${legend}`);
        });
        const drawn = Number(await frame.locator('[data-testid="heatmap-canvas"]').getAttribute('data-drawn'));
        if (drawn !== state.igRun) throw new Error(`toggling recomputed: run ${drawn} != ${state.igRun}`);
        const after = await canvasStats(frame);
        if (after.colours < 10) throw new Error(`the signed heatmap looks blank: ${JSON.stringify(after)}`);
        state.signed = { before: before.colours, after: after.colours };
        // Back to magnitudes for the screenshots and the export (whose test expects viridis): a
        // click can land while the legend redraws, so the box is unticked until the legend says so.
        await retry('the magnitude legend again', 20_000, async () => {
          const signed = frame.locator('[data-testid="heatmap-signed"]');
          if (await signed.evaluate((box) => box.checked)) await signed.click();
          if (/−[\d.e-]+\s*0\s*\+[\d.e-]+/.test(await text(frame, 'heatmap-legend'))) throw new Error('the heatmap is still signed');
        });
      },
    },
    {
      name: 'a sample card\'s "Explain" link runs that sample',
      async run() {
        const frame = state.frame;
        const card = frame.locator('[data-testid="samples"] li', { hasText: 'digit-3-0.png' }).first();
        await card.locator('.link-button', { hasText: 'Explain' }).click();
        const run = await retry('the heatmap of digit-3-0.png', 60_000, async () => {
          const drawn = Number(await frame.locator('[data-testid="heatmap-canvas"]').getAttribute('data-drawn', { timeout: 1_000 }));
          const target = await text(frame, 'explain-result-target');
          if (!(drawn > state.igRun) || !/^3\b/.test(target)) throw new Error(`run ${drawn}, target ${target}`);
          return drawn;
        });
        state.sampleLinkRun = run;
      },
    },
    {
      name: 'the target shown is the target sent: run with target 9, choose "Predicted class", run again → the predicted class',
      async run({ page }) {
        const frame = state.frame;
        await frame.locator('[data-testid="explain"]').scrollIntoViewIfNeeded();
        await choose(frame, 'explain-input', SAMPLE);
        await choose(frame, 'explain-method', 'Gradient');
        await choose(frame, 'explain-target', '9');
        const nine = await runAndWait(frame, state.sampleLinkRun || 0);
        const target9 = await text(frame, 'explain-result-target');
        if (!/^9\b/.test(target9)) throw new Error(`run with target 9 says target ${JSON.stringify(target9)}`);
        // After the run the dropdown still shows what the form holds (it used to snap back to its first option).
        const shown = await frame.locator('[data-testid="explain-target"]').evaluate((el) => ({ text: el.selectedOptions?.[0]?.textContent ?? '', value: el.dataset.value }));
        if (shown.value !== '9' || shown.text.trim() !== '9') throw new Error(`after the run the target dropdown shows ${JSON.stringify(shown)}, not 9`);
        await choose(frame, 'explain-target', 'Predicted class');
        const predicted = await runAndWait(frame, nine);
        const target = await text(frame, 'explain-result-target');
        if (!/^7\b/.test(target)) throw new Error(`after choosing "Predicted class" the result's target is ${JSON.stringify(target)}, not the predicted 7`);
        state.targetRuns = { nine: target9, predicted: target };
        state.predictedRun = predicted;
        await page.locator('iframe.webview.ready').last().screenshot({ path: path.join(resultsDir, 'saliency-target-webview.png') }).catch(() => undefined);
      },
    },
    {
      name: 'the panel survives a window reload with its last result (serializer), and runs on',
      async run({ page }) {
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        const frame = await retry('the revived Model Lens panel with its result', 120_000, async () => {
          for (const f of page.frames()) {
            if ((await f.$('[data-testid="explain-result"]').catch(() => null)) && (await f.$('[data-testid="summary-format"]').catch(() => null))) return f;
          }
          throw new Error('no frame shows the summary and an Explain result yet');
        });
        state.frame = frame;
        // The webview's own saved state may lag the last run by a moment (the workbench persists it
        // lazily); the revived host sends the stored last result as soon as the webview is ready.
        const { method, target } = await retry('the last result after the reload', 60_000, async () => {
          const m = await text(frame, 'explain-result-method');
          const t = await text(frame, 'explain-result-target');
          if (m !== 'Gradient' || !/^7\b/.test(t)) throw new Error(`after the reload the panel shows ${m} target ${t}, not the last result (Gradient, 7)`);
          return { method: m, target: t };
        });
        const drawn = await retry('the revived heatmap', 30_000, async () => {
          const d = Number(await frame.locator('[data-testid="heatmap-canvas"]').getAttribute('data-drawn', { timeout: 1_000 }));
          if (d !== state.predictedRun) throw new Error(`canvas drawn for run ${d}, not ${state.predictedRun}`);
          return d;
        });
        await sleep(300);
        await page.locator('iframe.webview.ready').last().screenshot({ path: path.join(resultsDir, 'saliency-revived-webview.png') }).catch(() => undefined);
        // The revived host numbers new runs after the restored one: the webview draws the next run.
        await retry('the host to answer the revived panel', 60_000, async () => {
          const count = await frame.locator('[data-testid="explain-input"] vscode-option').count();
          if (count < 2) throw new Error('the input list has not arrived');
        });
        await choose(frame, 'explain-input', SAMPLE);
        // Integrated Gradients again, which the hover step then finds as the sample's latest attribution.
        await choose(frame, 'explain-method', 'Integrated Gradients');
        state.revivedRun = await runAndWait(frame, drawn);
        const after = await text(frame, 'explain-result-method');
        if (after !== 'Integrated Gradients') throw new Error(`the run after the reload shows ${JSON.stringify(after)}`);
        state.revived = { method, target, drawn, next: state.revivedRun };
      },
    },
    {
      name: `hovering "${SAMPLE}" in a Python file shows the attribution thumbnail`,
      async run({ page }) {
        fs.writeFileSync(hoverPath, `from PIL import Image\n\n# Model Lens e2e (temporary)\nimg = Image.open("${SAMPLE}")\n`);
        state.cleanup = () => fs.rmSync(hoverPath, { force: true });
        await retry('open explain_demo.py with Quick Open', 60_000, async () => {
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+P');
          await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 5_000 });
          await page.keyboard.type('explain_demo.py', { delay: 5 });
          await page.locator('.quick-input-list .monaco-list-row', { hasText: 'explain_demo.py' }).first().waitFor({ timeout: 5_000 });
          await page.keyboard.press('Enter');
          await page.locator('.tab.active', { hasText: 'explain_demo.py' }).waitFor({ timeout: 10_000 });
        });
        const token = page.locator('.monaco-editor .view-line span', { hasText: 'digit-7-0' }).last();
        await token.waitFor({ timeout: 20_000 });
        const hover = page.locator('.monaco-hover:visible', { hasText: 'Model Lens' });
        await retry('the Model Lens hover', 60_000, async () => {
          await page.mouse.move(5, 5);
          await sleep(200);
          await token.hover();
          await hover.first().waitFor({ state: 'visible', timeout: 5_000 });
        });
        const hoverText = (await hover.first().innerText()).replace(/\s+/g, ' ').trim();
        if (!hoverText.includes('Integrated Gradients')) throw new Error(`the hover lacks the method: ${hoverText}`);
        if (!/Target class 7/.test(hoverText)) throw new Error(`the hover lacks target class 7: ${hoverText}`);
        if (!/Explain with Model Lens/.test(hoverText)) throw new Error(`the hover lacks the command link: ${hoverText}`);
        const img = hover.first().locator('img');
        await retry('the hover thumbnail to load', 20_000, async () => {
          const w = await img.first().evaluate((el) => el.complete && el.naturalWidth);
          if (!w) throw new Error('the thumbnail has not loaded');
        });
        state.hover = hoverText;
        await sleep(300);
        await page.screenshot({ path: path.join(resultsDir, 'hover.png') });
      },
    },
    {
      name: '"Model Lens: Explain Input…" from the palette on iris-mlp shows per-feature bars',
      async run({ page }) {
        await palette(page, 'Model Lens: Explain Input', 'iris-mlp/model.json');
        await pick(page, 'iris-mlp/model.json');
        const sample = page.locator('.quick-input-list .monaco-list-row', { hasText: 'iris-mlp/samples/versicolor.csv' }).first();
        await sample.waitFor({ state: 'visible', timeout: 60_000 });
        state.inputPickLabels = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        await sample.click();
        const frame = await retry('the iris-mlp panel with feature bars', 120_000, async () => {
          for (const f of page.frames()) {
            if (await f.$('[data-testid="feature-bars"]').catch(() => null)) return f;
          }
          throw new Error('no frame shows [data-testid="feature-bars"] yet');
        });
        const rows = await frame.locator('[data-testid="feature-bars"] .feature-row').allInnerTexts();
        const names = rows.map((r) => r.split(/\s+/)[0]);
        for (const f of ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']) {
          if (!names.includes(f)) throw new Error(`the bars lack ${f}: ${JSON.stringify(rows)}`);
        }
        state.tabular = { method: await text(frame, 'explain-result-method'), target: await text(frame, 'explain-result-target'), summary: await text(frame, 'explain-summary') };
        if (state.tabular.method !== 'Integrated Gradients') throw new Error(`the result says ${JSON.stringify(state.tabular)}`);
        await frame.locator('[data-testid="explain-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(500);
        await page.locator('iframe.webview.ready').last().screenshot({ path: path.join(resultsDir, 'saliency-tabular-webview.png') }).catch(() => undefined);
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SAMPLE, HOVER_FILE };
