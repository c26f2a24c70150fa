// End-to-end (issue 13): in a half-width panel, a user finds counterfactuals from the panel's
// Counterfactuals section for each kind of input and reads the diff:
// - tabular (examples/penguins-logreg, the Adelie sample → Gentoo, 3 diverse by gradient search): the
//   row beside each counterfactual, changed cells marked with their delta, the immutable island and
//   sex columns unchanged and marked, body mass's range shown, each column predicted as Gentoo, text
//   at WCAG AA contrast in the light and the dark theme; Copy CSV row by keyboard says so in the status bar;
// - image (examples/mnist-cnn, digit 7, region swap): original, counterfactual and difference map
//   side by side at model resolution, the difference map's colour bar, the swapped cells outlined;
// - text (examples/text-sentiment, the positive sample): the sentence inline with the removed word
//   struck through and the inserted one marked.
// Screenshots: test-results/counterfactual-tabular.png, counterfactual-image.png, counterfactual-text.png.
'use strict';

const path = require('path');
const { choose, contrastFailures, failIfShown, modelFrame, palette, pick, retry, sleep } = require('./util');

const SCREENSHOTS = ['counterfactual-tabular.png', 'counterfactual-image.png', 'counterfactual-text.png'];

/** Opens `model`'s panel with its sidecar beside it (the panel keeps half the width); resolves its frame. */
async function openHalfWidth(page, model) {
  await palette(page, 'View: Close All Editor Groups');
  await palette(page, 'Model Lens: Open Model', model);
  await pick(page, model);
  let frame = await modelFrame(page, model, 'counterfactual');
  await frame.locator('.summary > .actions vscode-button', { hasText: 'Edit sidecar' }).click();
  await page.locator('.tab', { hasText: 'model.lens.json' }).first().waitFor({ timeout: 30_000 });
  frame = await modelFrame(page, model, 'counterfactual');
  await frame.locator('[data-testid="counterfactual"]').scrollIntoViewIfNeeded();
  return frame;
}

/** Finds with what the form shows; waits for the new result (data-run above `afterRun`), failing at once on an error. */
async function find(frame, afterRun) {
  await frame.locator('[data-testid="counterfactual-run"]').click();
  await retry('the counterfactual result', 120_000, async () => {
    await failIfShown(frame, 'counterfactual-error');
    const run = Number(await frame.locator('.latest-result [data-testid="counterfactual-result"]').getAttribute('data-run', { timeout: 1_000 }));
    if (!(run > afterRun)) throw new Error(`result of run ${run}, waiting for > ${afterRun}`);
  });
  return frame.locator('.latest-result [data-testid="counterfactual-result"]');
}

/** What of the result lies outside the panel (a table may scroll inside its own box), and the panel's width. */
function clipped(result) {
  return result.evaluate((root) => {
    const out = [];
    const box = root.getBoundingClientRect();
    for (const el of root.querySelectorAll('canvas, figure, table, .explain-facts, .note, header, .cf-diff, .actions')) {
      const r = el.getBoundingClientRect();
      const scroller = el.closest('.cf-table-box');
      const within = (scroller ?? root).getBoundingClientRect();
      if (r.width === 0 || (!scroller && (r.right > within.right + 1 || r.left < within.left - 1)) || (!scroller && r.right > window.innerWidth + 1)) {
        out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
    }
    if (box.right > window.innerWidth + 1) out.push(`the result ${Math.round(box.left)}–${Math.round(box.right)}`);
    return { width: window.innerWidth, out };
  });
}

async function screenshot(page, result, file, resultsDir) {
  await result.scrollIntoViewIfNeeded();
  await page.mouse.move(5, 980);
  await sleep(400);
  await result.screenshot({ path: path.join(resultsDir, file) });
}

const parseDelta = (text) => Number(text.replace('−', '-'));

function steps({ resultsDir, shared }) {
  const state = shared;
  return [
    {
      name: 'Counterfactuals: three diverse penguins (Adelie → Gentoo) as columns beside the row, changed cells with their delta, immutables untouched and marked, in a half-width panel; Copy CSV row by keyboard',
      async run({ page }) {
        const model = 'penguins-logreg/model.json';
        const frame = await openHalfWidth(page, model);
        await choose(frame, 'counterfactual-input', 'adelie.csv');
        await choose(frame, 'counterfactual-method', 'Gradient search');
        await choose(frame, 'counterfactual-target', 'Gentoo');
        await frame.locator('[data-testid="counterfactual-count"] input').fill('3').catch(async () => {
          await frame.locator('[data-testid="counterfactual-count"]').click();
          await page.keyboard.press('Control+A');
          await page.keyboard.type('3');
        });
        const result = await find(frame, 0);
        const title = await result.locator('[data-testid="counterfactual-title"]').textContent();
        if (title !== 'Adelie → Gentoo') throw new Error(`title: ${title}`);
        const table = result.locator('[data-testid="counterfactual-table"]');
        const rows = await table.locator('tbody tr').evaluateAll((trs) =>
          trs.map((tr) => ({
            feature: tr.dataset.feature,
            immutable: tr.classList.contains('immutable'),
            constraint: tr.querySelector('.cf-constraint')?.textContent.trim() ?? '',
            original: Number(tr.querySelector('.cf-value').textContent),
            cells: [...tr.querySelectorAll('[data-testid="counterfactual-cell"]')].map((td) => ({
              changed: td.dataset.changed === 'true',
              value: Number(td.firstChild.textContent),
              delta: td.querySelector('.cf-delta')?.textContent ?? null,
              background: getComputedStyle(td).backgroundColor,
            })),
          })),
        );
        const columns = rows[0].cells.length;
        if (columns !== 3) throw new Error(`${columns} counterfactual columns, asked for 3`);
        for (const r of rows) {
          if (r.feature.startsWith('island_') || r.feature.startsWith('sex_')) {
            if (!r.immutable || r.constraint !== 'immutable' || r.cells.some((c) => c.changed)) throw new Error(`immutable ${r.feature}: ${JSON.stringify(r)}`);
          }
          for (const c of r.cells) {
            if (!c.changed) continue;
            // The delta is the change in raw units, as shown (6 significant digits).
            const d = parseDelta(c.delta);
            if (!(Math.abs(d - (c.value - r.original)) <= 1e-3 * Math.max(1, Math.abs(d)))) throw new Error(`${r.feature}: ${r.original} → ${c.value} shown as ${c.delta}`);
            if (c.background === 'rgba(0, 0, 0, 0)') throw new Error(`${r.feature}: a changed cell without its highlight`);
          }
        }
        const mass = rows.find((r) => r.feature === 'body_mass_g');
        if (mass.constraint !== '2700 to 6300') throw new Error(`body mass constraint: ${mass.constraint}`);
        if (!rows.some((r) => r.cells.some((c) => c.changed))) throw new Error('no changed cell');
        const predicted = await table.locator('[data-testid="counterfactual-predictions"] td').evaluateAll((tds) => tds.map((td) => [...td.querySelectorAll('.cf-predicted > span')].map((s) => s.textContent).join(' ')));
        if (!/^Adelie \d/.test(predicted[0]) || predicted.slice(1).some((p) => !/^Gentoo \d+(\.\d)?%$/.test(p))) throw new Error(`predictions: ${predicted.join(' | ')}`);
        const layout = await clipped(result);
        if (layout.width > 900) throw new Error(`the panel is ${layout.width}px wide: not half width`);
        if (layout.out.length) throw new Error(`clipped at ${layout.width}px: ${layout.out.join('; ')}`);
        await screenshot(page, result, 'counterfactual-tabular.png', resultsDir);
        // Keyboard: the Copy button takes the focus and Enter copies (the host says so in the status bar).
        const copy = result.locator('[data-testid="counterfactual-copy-csv-0"]');
        await copy.focus();
        await page.keyboard.press('Enter');
        await page.locator('.statusbar', { hasText: 'copied counterfactual 1 as a CSV row' }).waitFor({ timeout: 10_000 });
        // The diff's highlights keep WCAG AA text contrast in this theme and the other one.
        const themes = [await contrastFailures(frame, '.latest-result [data-testid="counterfactual-result"]')];
        await palette(page, 'Preferences: Toggle between Light/Dark Themes');
        const other = await modelFrame(page, 'penguins-logreg/model.json', 'counterfactual-result');
        await sleep(500);
        themes.push(await contrastFailures(other, '.latest-result [data-testid="counterfactual-result"]'));
        await palette(page, 'Preferences: Toggle between Light/Dark Themes');
        if (themes.some((t) => t.checked < 40)) throw new Error(`the contrast check saw only ${themes.map((t) => t.checked)} texts`);
        if (themes.some((t) => t.failures.length)) throw new Error(`below WCAG AA:\n ${themes.map((t) => t.failures.join('\n  ')).join('\n other theme: ')}`);
        state.counterfactualTabular = { width: layout.width, predicted, changed: rows.filter((r) => r.cells.some((c) => c.changed)).map((r) => r.feature), contrastChecked: themes.map((t) => t.checked) };
      },
    },
    {
      name: 'Counterfactuals: region swap on an MNIST 7 draws original, counterfactual and difference map (with colour bar) side by side, swapped cells outlined',
      async run({ page }) {
        const frame = await openHalfWidth(page, 'mnist-cnn/model.json');
        await choose(frame, 'counterfactual-input', 'digit-7-0.png');
        await choose(frame, 'counterfactual-method', 'Region swap');
        const result = await find(frame, 0);
        const set = result.locator('[data-testid="counterfactual-image-set"]').first();
        const canvases = await retry('the pictures drawn', 20_000, async () => {
          const drawn = await set.locator('canvas').evaluateAll((cs) => cs.map((c) => ({ id: c.dataset.testid, drawn: c.dataset.drawn === 'true', cells: Number(c.dataset.cells), width: c.width, shown: c.getBoundingClientRect().width })));
          if (drawn.length < 3 || drawn.some((c) => !c.drawn)) throw new Error(JSON.stringify(drawn));
          return drawn;
        });
        const byId = Object.fromEntries(canvases.map((c) => [c.id, c]));
        for (const id of ['counterfactual-original-image', 'counterfactual-image', 'counterfactual-difference', 'counterfactual-distractor']) {
          if (!byId[id]) throw new Error(`no ${id}: ${JSON.stringify(canvases)}`);
          // 28 px enlarged by a whole factor (nearest neighbour), and the swapped cells outlined.
          if (byId[id].width % 28 !== 0 || !(byId[id].cells >= 1)) throw new Error(`${id}: ${JSON.stringify(byId[id])}`);
        }
        const bar = await set.locator('[data-testid="counterfactual-colorbar"]').textContent();
        if (!/−\d.*0.*\+\d/.test(bar) || !/change in pixel value/.test(bar) || !/brighter/.test(bar)) throw new Error(`colour bar: ${bar}`);
        const layout = await clipped(result);
        if (layout.out.length) throw new Error(`clipped at ${layout.width}px: ${layout.out.join('; ')}`);
        await screenshot(page, result, 'counterfactual-image.png', resultsDir);
        state.counterfactualImage = { title: await result.locator('[data-testid="counterfactual-title"]').textContent(), cells: byId['counterfactual-image'].cells, bar };
      },
    },
    {
      name: 'Counterfactuals: token flip on a positive review shows the sentence inline, the removed word struck through and the inserted one marked',
      async run({ page }) {
        const frame = await openHalfWidth(page, 'text-sentiment/model.json');
        await choose(frame, 'counterfactual-input', 'positive.txt');
        await choose(frame, 'counterfactual-method', 'Automatic');
        const result = await find(frame, 0);
        const title = await result.locator('[data-testid="counterfactual-title"]').textContent();
        if (title !== 'positive → negative') throw new Error(`title: ${title}`);
        const diff = result.locator('[data-testid="counterfactual-diff"]').first();
        const removed = await diff.locator('del').allTextContents();
        const inserted = await diff.locator('ins').allTextContents();
        if (!removed.some((w) => w.trim() === 'wonderful') || inserted.length < 1) throw new Error(`removed ${JSON.stringify(removed)}, inserted ${JSON.stringify(inserted)}`);
        const text = (await diff.textContent()).replace(/\s+/g, ' ');
        if (!text.startsWith('we saw the movie on a night with friends and it was')) throw new Error(`diff: ${text}`);
        const layout = await clipped(result);
        if (layout.out.length) throw new Error(`clipped at ${layout.width}px: ${layout.out.join('; ')}`);
        const contrast = await contrastFailures(frame, '.latest-result [data-testid="counterfactual-result"]');
        if (contrast.failures.length) throw new Error(`below WCAG AA:\n ${contrast.failures.join('\n ')}`);
        await screenshot(page, result, 'counterfactual-text.png', resultsDir);
        state.counterfactualText = { removed, inserted };
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SCREENSHOTS };
