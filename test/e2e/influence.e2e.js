// End-to-end: on examples/mnist-cnn, a user runs "Model Lens: Find Influential Training Data" from
// the palette (method and input from its quick picks), reads the proponent / opponent galleries of
// training digits in the panel, clicks a proponent (its PNG opens in the editor), then lists the
// suspicious training examples from the panel's Influence section.
// Screenshots: test-results/influence-gallery.png (the galleries), influence.png (the workbench),
// influence-suspicious.png (the self-influence list).
'use strict';

const path = require('path');
const { choose, failIfShown, palette, pick, retry, sleep } = require('./util');

const COMMAND_TITLE = 'Model Lens: Find Influential Training Data';
const MODEL = 'mnist-cnn/model.json';
const SAMPLE = 'samples/digit-7-0.png';
const SCREENSHOTS = ['influence-gallery.png', 'influence.png', 'influence-suspicious.png'];

/** The frame of the mnist-cnn panel (found anew: a hidden webview loses its frame). */
async function mnistFrame(page) {
  return retry('the mnist-cnn panel', 60_000, async () => {
    for (const frame of page.frames()) {
      const h1 = await frame.$('.summary h1').catch(() => null);
      if (h1 && (await h1.textContent()).includes(MODEL) && (await frame.$('[data-testid="influence"]'))) return frame;
    }
    throw new Error('no frame shows the mnist-cnn summary with an Influence section');
  });
}

/** Waits for a new influence result (data-run above `afterRun`); fails at once on an error. */
async function waitForResult(frame, afterRun, timeoutMs) {
  return retry('the influence result', timeoutMs, async () => {
    await failIfShown(frame, 'influence-error');
    const run = Number(await frame.locator('[data-testid="influence-result"]').getAttribute('data-run', { timeout: 1_000 }));
    if (!(run > afterRun)) throw new Error(`result of run ${run}, waiting for > ${afterRun}`);
    return run;
  });
}

const scoresIn = (frame, gallery) =>
  frame.locator(`[data-testid="${gallery}"] [data-testid="influence-score"]`).evaluateAll((els) => els.map((e) => Number(e.textContent.trim())));

function steps({ resultsDir, shared }) {
  const state = shared;
  return [
    {
      name: `"${COMMAND_TITLE}" from the palette on ${MODEL} shows galleries of training digits`,
      async run({ page }) {
        await palette(page, 'Model Lens: Open Model', MODEL);
        await pick(page, MODEL);
        await mnistFrame(page);
        // With the mnist panel active the command uses its model (else it asks), then asks for the method and the input.
        await palette(page, COMMAND_TITLE, /Influence functions|mnist-cnn\/model\.json/);
        if (await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Influence functions' }).count() === 0) await pick(page, MODEL);
        await pick(page, 'Influence functions');
        await pick(page, SAMPLE);
        const frame = await mnistFrame(page);
        state.influenceRun = await waitForResult(frame, 0, 240_000);
        const pros = await scoresIn(frame, 'proponents');
        const cons = await scoresIn(frame, 'opponents');
        if (!pros.length || !cons.length) throw new Error(`galleries: ${pros.length} proponents, ${cons.length} opponents`);
        if (pros.some((s, i) => !(s >= 0) || (i && s > pros[i - 1]))) throw new Error(`proponents are not positive and sorted: ${pros}`);
        if (cons.some((s, i) => !(s < 0) || (i && s < cons[i - 1]))) throw new Error(`opponents are not negative, strongest first: ${cons}`);
        const thumbs = await frame.locator('[data-testid="proponents"] img, [data-testid="opponents"] img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth));
        if (thumbs.length !== pros.length + cons.length || thumbs.some((w) => !w)) throw new Error(`thumbnails not all drawn: ${JSON.stringify(thumbs)}`);
        const header = (await frame.locator('[data-testid="influence-header"]').innerText()).replace(/\s+/g, ' ');
        for (const want of ['Influence functions', 'Parameters', 'Training set']) {
          if (!header.includes(want)) throw new Error(`the header lacks "${want}": ${header}`);
        }
        // The test input on top: its thumbnail, label, the model's prediction and the loss.
        const test = (await frame.locator('[data-testid="influence-test-input"]').innerText()).replace(/\s+/g, ' ');
        if (!/Test input mnist-cnn\/samples\/digit-7-0\.png/.test(test) || !/Prediction 7 \(\d+\.\d%\)/.test(test) || !/Loss [\d.e-]+/.test(test)) throw new Error(`the test input block: ${test}`);
        const thumb = await frame.locator('[data-testid="influence-test-input"] img').evaluate((i) => i.complete && i.naturalWidth);
        if (thumb !== 28) throw new Error(`the test input's thumbnail is ${thumb} pixels wide`);
        state.influence = { header: header.slice(0, 400), proponents: pros, opponents: cons };
        // Room for the galleries side by side: the panel's group alone (the earlier steps left three groups).
        await palette(page, 'View: Toggle Maximize Editor Group');
        await sleep(500);
        await frame.locator('[data-testid="influence-result"]').scrollIntoViewIfNeeded();
        await page.mouse.move(1100, 980);
        await sleep(500);
        await frame.locator('[data-testid="influence-result"]').screenshot({ path: path.join(resultsDir, 'influence-gallery.png') });
        await page.screenshot({ path: path.join(resultsDir, 'influence.png') });
      },
    },
    {
      name: 'clicking the top proponent opens its PNG in the editor',
      async run({ page }) {
        const frame = await mnistFrame(page);
        const card = frame.locator('[data-testid="proponents"] [data-testid="influence-example"]').first();
        const id = (await card.locator('.example-id').textContent()).trim();
        await card.click();
        const name = id.split(/[\\/]/).pop();
        await page.locator('.tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
        state.openedExample = id;
      },
    },
    {
      name: 'the Influence section lists suspicious training examples (self-influence)',
      async run({ page }) {
        await palette(page, 'Model Lens: Open Model', MODEL);
        await pick(page, MODEL);
        const frame = await mnistFrame(page);
        await choose(frame, 'influence-method', 'Suspicious');
        await frame.locator('[data-testid="influence-run"]').click();
        await waitForResult(frame, state.influenceRun, 240_000);
        const scores = await scoresIn(frame, 'suspicious');
        if (!scores.length || scores.some((s, i) => i && s > scores[i - 1])) throw new Error(`suspicious examples not sorted: ${scores}`);
        state.suspicious = scores.length;
        await frame.locator('[data-testid="suspicious"]').scrollIntoViewIfNeeded();
        // The list itself: a screenshot of an element taller than the viewport comes out garbled inside the webview's frames.
        await frame.locator('[data-testid="suspicious"]').screenshot({ path: path.join(resultsDir, 'influence-suspicious.png') });
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SCREENSHOTS };
