// End-to-end: a user opens examples/tiny-decoder/sentiment.icl.json and runs "Model Lens: Compare ICL
// Label Flip" from the palette: the tiny decoder is the workspace's only causal LM (no question),
// they tick every variant and pick gradient saliency. The ICL panel opens beside the spec (half the
// window) with the four prompts side by side: changed labels and neutral inputs outlined, tokens
// shaded on one colour scale with its colour bar, probability bars per label, accuracy and
// flip-following; hovering a demonstration shows its contribution in every variant. Then the dark
// theme: WCAG AA text contrast over the whole panel; after a window reload the panel is back.
// Screenshots: test-results/icl-compare.png (the prompts side by side), icl-summary.png (accuracy,
// flip-following, saliency shares), icl.png (the workbench), icl-dark.png (the panel in the dark theme).
// The panel's pictures are the page clipped to the panel: a screenshot of an element taller than the
// viewport comes out garbled inside the webview's frames.
'use strict';

const path = require('path');
const { contrastFailures, failIfShown, palette, pick, retry, sleep } = require('./util');

const COMMAND_TITLE = 'Model Lens: Compare ICL Label Flip';
const SPEC = 'tiny-decoder/sentiment.icl.json';
const SCREENSHOTS = ['icl-compare.png', 'icl-summary.png', 'icl.png', 'icl-dark.png'];

/**
 * The page clipped to the panel's frame, with `testId` scrolled to its top and, with `focus`, that
 * element focused (a demonstration focused shows its contribution as hovering does, without moving
 * the page).
 */
async function panelShot(page, frame, testId, file, focus) {
  await page.mouse.move(5, 500);
  if (focus) await focus.evaluate((el) => el.focus({ preventScroll: true }));
  await frame.locator(`[data-testid="${testId}"]`).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await sleep(400);
  const box = await (await frame.frameElement()).boundingBox();
  await page.screenshot({ path: file, clip: box });
}

/** The ICL panel's frame (found anew: a hidden webview loses its frame), holding `testId`. */
async function iclFrame(page, testId = 'icl') {
  return retry('the ICL panel of sentiment.icl.json', 60_000, async () => {
    for (const frame of page.frames()) {
      const h1 = await frame.$('[data-testid="icl-spec-name"]').catch(() => null);
      if (h1 && (await h1.textContent()).includes('sentiment.icl.json') && (await frame.$(`[data-testid="${testId}"]`))) return frame;
    }
    throw new Error(`no frame shows the ICL panel with [data-testid="${testId}"]`);
  });
}

/** Opens a workspace file through Quick Open. */
async function quickOpen(page, rel) {
  await retry(`open ${rel}`, 60_000, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.type(rel, { delay: 5 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(rel) }).first().waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: path.basename(rel) }).waitFor({ timeout: 10_000 });
  });
}

function steps({ resultsDir, shared }) {
  const state = shared;
  return [
    {
      name: `"${COMMAND_TITLE}" on ${SPEC}: every variant side by side, gradient saliency, a demonstration's contribution on hover`,
      async run({ page }) {
        await palette(page, 'View: Close All Editor Groups');
        await quickOpen(page, SPEC);
        // The spec is the active editor and the tiny decoder the only causal LM: the command asks only for variants and saliency.
        await palette(page, COMMAND_TITLE, 'neutral');
        for (const variant of ['neutral', 'explained']) await page.locator('.quick-input-list .monaco-list-row', { hasText: variant }).first().click();
        await page.keyboard.press('Enter');
        await pick(page, 'Gradient × embedding');
        const frame = await iclFrame(page, 'icl-result');
        await retry('the comparison', 240_000, async () => {
          await failIfShown(frame, 'icl-error');
          const cards = await frame.locator('[data-testid="icl-variant-card"]').count();
          if (cards !== 4) throw new Error(`${cards} variant cards`);
        });
        // Per-variant accuracy and flip-following, and the summary in words.
        const rates = await frame.locator('[data-testid="icl-rates"] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
        const flipped = rates.find((r) => r[0] === 'Flipped labels');
        if (!flipped || parseInt(flipped[2], 10) < 90) throw new Error(`flip-following: ${JSON.stringify(rates)}`);
        const summary = await frame.locator('[data-testid="icl-flip-summary"]').innerText();
        if (!/follows the flip on \d+ of 40 labelled queries/.test(summary)) throw new Error(`summary: ${summary}`);
        // The flipped prompt outlines its four changed labels, the neutral one its four inputs' words; tokens are shaded.
        const card = (variant) => frame.locator(`[data-testid="icl-variant-card"]:has(.icl-card[data-variant="${variant}"])`);
        const changedLabels = await card('flipped').locator('.token.changed.part-demo-label').count();
        const changedInputs = await card('neutral').locator('.token.changed.part-demo-input').count();
        const unchanged = await card('original').locator('.token.changed').count();
        if (changedLabels !== 4 || changedInputs < 4 || unchanged !== 0) throw new Error(`outlined: ${changedLabels} flipped labels, ${changedInputs} neutral input tokens, ${unchanged} in the original`);
        const shaded = await frame.locator('[data-testid="icl-prompt"] .token[data-saliency]').count();
        if (shaded < 100) throw new Error(`only ${shaded} tokens shaded`);
        const bar = (await frame.locator('[data-testid="icl-colorbar"]').innerText()).replace(/\s+/g, ' ');
        if (!/gradient × embedding of log p\(predicted label\)/.test(bar) || !/raises p\(predicted label\)/.test(bar)) throw new Error(`colour bar: ${bar}`);
        const probCharts = await frame.locator('[data-testid="icl-probs"]').count();
        if (probCharts !== 4) throw new Error(`${probCharts} probability charts`);
        // Hovering the second demonstration of the flipped prompt: its contribution in all four variants, and the same demonstration marked in each.
        await card('flipped').locator('.icl-demo[data-demo="1"]').hover();
        const contributions = await retry('the contribution strip', 10_000, async () => {
          const values = await frame.locator('[data-testid="icl-demo-contribution"] [data-testid="icl-contribution"]').allInnerTexts();
          if (values.length !== 4 || values.some((v) => !/^[−-]?\d/.test(v.trim()))) throw new Error(`contributions: ${JSON.stringify(values)}`);
          return values;
        });
        const marked = await frame.locator('.icl-demo.shown[data-demo="1"]').count();
        if (marked !== 4) throw new Error(`${marked} prompts mark the hovered demonstration`);
        // Legible at half the window: nothing wider than its card.
        const layout = await frame.evaluate(() => {
          const overflow = [...document.querySelectorAll('[data-testid="icl-variant-card"]')].filter((c) => c.scrollWidth > c.clientWidth + 1).length;
          return { width: window.innerWidth, overflow, columns: getComputedStyle(document.querySelector('[data-testid="icl-compare"] .compare-cards')).gridTemplateColumns.split(' ').length };
        });
        if (layout.width > 900) throw new Error(`the panel is ${layout.width}px wide: not half width`);
        if (layout.overflow) throw new Error(`${layout.overflow} cards scroll sideways at ${layout.width}px`);
        await panelShot(page, frame, 'icl-result', path.join(resultsDir, 'icl-summary.png'));
        await panelShot(page, frame, 'icl-compare', path.join(resultsDir, 'icl-compare.png'), card('flipped').locator('.icl-demo[data-demo="1"]'));
        await page.screenshot({ path: path.join(resultsDir, 'icl.png') });
        state.icl = { rates, contributions, shaded, layout };
      },
    },
    {
      name: 'the ICL panel keeps WCAG AA contrast in the dark theme',
      async run({ page }) {
        let frame = await iclFrame(page, 'icl-result');
        const dark = () => frame.evaluate(() => document.body.classList.contains('vscode-dark'));
        if (!(await dark())) {
          await palette(page, 'Preferences: Toggle between Light/Dark Themes');
          await retry('the dark theme', 30_000, async () => {
            frame = await iclFrame(page, 'icl-result');
            if (!(await dark())) throw new Error('still light');
          });
        }
        const checked = await contrastFailures(frame, '#app');
        await panelShot(page, frame, 'icl-compare', path.join(resultsDir, 'icl-dark.png'), frame.locator('[data-testid="icl-variant-card"] .icl-demo[data-demo="1"]').nth(1));
        if (checked.checked < 50) throw new Error(`the contrast check saw only ${checked.checked} texts`);
        if (checked.failures.length) throw new Error(`below WCAG AA in the dark theme:\n  ${checked.failures.join('\n  ')}`);
        state.iclContrast = checked.checked;
      },
    },
    {
      name: 'the ICL panel comes back after a window reload with its comparison and history',
      async run({ page }) {
        const before = await (await iclFrame(page, 'icl-result')).locator('[data-testid="icl-result"]').getAttribute('data-run');
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await retry('the ICL panel after the reload', 120_000, async () => {
          const frame = await iclFrame(page, 'icl-history');
          const run = await frame.locator('[data-testid="icl-result"]').getAttribute('data-run', { timeout: 1_000 });
          const cards = await frame.locator('[data-testid="icl-variant-card"]').count();
          if (run !== before || cards !== 4) throw new Error(`run ${run} with ${cards} cards; ${before} before the reload`);
        });
        state.iclReloaded = before;
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SCREENSHOTS };
