// End-to-end (issue 12): on examples/concepts-cnn, in a half-width panel, a user tests the sidecar's
// concepts (striped, shaded) for the class zebra at the preset layers (conv2, dense1) with 5 runs
// from the panel's Concepts section, and reads the grouped bar chart — each concept's score with its
// ± std error bar beside the random baseline, significant bars marked *, the others hatched, both
// explained in the legend — and the table of p-values and CAV accuracies; then switches to linear
// probes and reads accuracy, control and selectivity per layer.
// Screenshots: test-results/concepts-form.png (the form), concepts-tcav.png (the TCAV result), concepts-probes.png (the probes).
'use strict';

const path = require('path');
const { choose, failIfShown, modelFrame, palette, pick, retry, sleep } = require('./util');

const MODEL = 'concepts-cnn/model.json';
const SCREENSHOTS = ['concepts-form.png', 'concepts-tcav.png', 'concepts-probes.png'];

const conceptsFrame = (page) => modelFrame(page, MODEL, 'concepts');

/** Waits for a new result of the Concepts section (data-run above `afterRun`) in `testId`; fails at once on an error. */
async function waitForResult(frame, testId, afterRun, timeoutMs) {
  return retry(`the ${testId}`, timeoutMs, async () => {
    await failIfShown(frame, 'concepts-error');
    const run = Number(await frame.locator(`.latest-result [data-testid="${testId}"]`).getAttribute('data-run', { timeout: 1_000 }));
    if (!(run > afterRun)) throw new Error(`result of run ${run}, waiting for > ${afterRun}`);
    return run;
  });
}

/**
 * The error bars the chart drew (the canvas records their segments), each stem checked for ink of
 * the foreground colour at its middle, on the canvas's own pixels.
 */
function errorBarInk(chart) {
  return chart.locator('canvas').evaluate((canvas) => {
    const segments = JSON.parse(canvas.dataset.errorBars || '[]');
    const ctx = canvas.getContext('2d');
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const probe = document.createElement('span');
    probe.style.color = canvas.dataset.foreground;
    document.body.append(probe);
    const fg = getComputedStyle(probe).color.match(/\d+/g).map(Number);
    probe.remove();
    const stems = segments.filter(([x1, y1, x2, y2]) => x1 === x2 && Math.abs(y2 - y1) >= 4);
    const inked = stems.filter(([x, y1, , y2]) => {
      const [cx, cy] = [Math.round(x * scale), Math.round(((y1 + y2) / 2) * scale)];
      const d = ctx.getImageData(cx - 1, cy, 3, 1).data;
      // The closest of three pixels across the 1.5 px line: anti-aliasing blends its edges.
      return [0, 4, 8].some((i) => Math.hypot(d[i] - fg[0], d[i + 1] - fg[1], d[i + 2] - fg[2]) < 60 && d[i + 3] > 200);
    });
    return { segments: segments.length, stems: stems.length, inked: inked.length };
  });
}

/** What of `selector` lies outside the panel's width (clipped at half width), and the panel's width. */
function clipped(frame, selector) {
  return frame.evaluate((sel) => {
    const root = document.querySelector(sel);
    const out = [];
    for (const el of root.querySelectorAll('canvas, figure, table, .explain-facts, .note, header')) {
      const r = el.getBoundingClientRect();
      const scroller = el.closest('.table-scroll');
      const box = (scroller ?? root).getBoundingClientRect();
      if (r.width === 0 || (!scroller && (r.right > box.right + 1 || r.left < box.left - 1)) || r.right > window.innerWidth + (scroller ? 1e9 : 1)) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return { width: window.innerWidth, out };
  }, selector);
}

function steps({ resultsDir, shared }) {
  const state = shared;
  return [
    {
      name: 'Concepts: TCAV for zebra at conv2 and dense1 (5 runs) draws the grouped bar chart with error bars, the baseline and significance, in a half-width panel',
      async run({ page }) {
        await palette(page, 'View: Close All Editor Groups');
        await palette(page, 'Model Lens: Open Model', MODEL);
        await pick(page, MODEL);
        let frame = await conceptsFrame(page);
        // The sidecar opens beside the panel, which keeps half the width.
        await frame.locator('.summary > .actions vscode-button', { hasText: 'Edit sidecar' }).click();
        await page.locator('.tab', { hasText: 'model.lens.json' }).first().waitFor({ timeout: 30_000 });
        frame = await conceptsFrame(page);
        await frame.locator('[data-testid="concepts"]').scrollIntoViewIfNeeded();
        // The form's defaults: the first class (zebra), the last two layers with weights, every concept of the sidecar.
        const ticked = await frame.locator('[data-testid="concepts-layers"] vscode-checkbox').evaluateAll((boxes) => boxes.filter((b) => b.checked).map((b) => b.textContent.trim().split(' ')[0]));
        if (ticked.join(',') !== 'conv2,dense1') throw new Error(`layers ticked: ${ticked}`);
        const concepts = await frame.locator('[data-testid="concepts-concepts"] vscode-checkbox').evaluateAll((boxes) => boxes.filter((b) => b.checked).map((b) => b.textContent.trim()));
        if (concepts.join(',') !== 'striped,shaded') throw new Error(`concepts ticked: ${concepts}`);
        await frame.locator('[data-testid="concepts-runs"] input').fill('5').catch(async () => {
          await frame.locator('[data-testid="concepts-runs"]').click();
          await page.keyboard.type('5');
        });
        await frame.locator('[data-testid="concepts"] .section-form').screenshot({ path: path.join(resultsDir, 'concepts-form.png') });
        await frame.locator('[data-testid="concepts-run"]').click();
        state.tcavRun = await waitForResult(frame, 'tcav-result', 0, 180_000);
        const result = frame.locator('.latest-result [data-testid="tcav-result"]');
        const chart = result.locator('[data-testid="tcav-chart"]');
        const series = await chart.getAttribute('data-series');
        const axes = await chart.getAttribute('data-axes');
        if (series !== 'striped | shaded | random baseline | hatched: not significant (p ≥ 0.05) | * significant (p < 0.05)') throw new Error(`legend: ${series}`);
        if (axes !== 'y: TCAV score (share with S > 0); categories: layer') throw new Error(`axes: ${axes}`);
        const note = await result.locator('[data-testid="tcav-gradient"]').textContent();
        if (!/derivative of the zebra logit/.test(note) || !/S > 0/.test(note) || !/5 runs/.test(note)) throw new Error(`the note on S: ${note}`);
        const rows = await result.locator('[data-testid="tcav-row"]').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
        if (rows.length !== 4) throw new Error(`${rows.length} score rows`);
        for (const [concept, layer, score, p, verdict, cav] of rows) {
          if (!/^\d\.\d\d ± \d\.\d\d$/.test(score) || !/^[\d.e-]+$/.test(p) || !/^0\.\d\d/.test(cav)) throw new Error(`row ${concept} ${layer}: ${score} | ${p} | ${verdict} | ${cav}`);
          // The planted concept: striped → zebra at every layer.
          if (concept === 'striped' && (verdict !== 'significant *' || Number(score.split(' ')[0]) < 0.9)) throw new Error(`striped at ${layer}: ${score}, ${verdict}`);
        }
        const bars = await errorBarInk(chart);
        // Every bar has an error bar (a zero spread is one cap): 2 concepts and the baseline at 2 layers; every stem is drawn in the foreground.
        if (bars.segments < 6 || bars.stems < 1 || bars.inked !== bars.stems) throw new Error(`error bars: ${JSON.stringify(bars)}`);
        const layout = await clipped(frame, '.latest-result [data-testid="tcav-result"]');
        if (layout.width > 900) throw new Error(`the panel is ${layout.width}px wide: not half width`);
        if (layout.out.length) throw new Error(`clipped at ${layout.width}px: ${layout.out.join('; ')}`);
        await result.scrollIntoViewIfNeeded();
        await page.mouse.move(5, 980);
        await sleep(400);
        await result.screenshot({ path: path.join(resultsDir, 'concepts-tcav.png') });
        state.concepts = { series, rows: rows.map((r) => r.slice(0, 6).join(' ')), errorBars: bars, width: layout.width };
      },
    },
    {
      name: 'Concepts: linear probes, the second view, chart accuracy, control and selectivity per layer',
      async run({ page }) {
        const frame = await conceptsFrame(page);
        await choose(frame, 'concepts-method', 'Linear probes');
        await frame.locator('[data-testid="concepts-run"]').click();
        await waitForResult(frame, 'probe-result', state.tcavRun, 120_000);
        const result = frame.locator('.latest-result [data-testid="probe-result"]');
        const series = await result.locator('[data-testid="probe-chart"]').getAttribute('data-series');
        if (!/^probe accuracy \| control \(permuted labels\) \| selectivity \(accuracy − control\) \| majority guess 0\.\d\d$/.test(series)) throw new Error(`legend: ${series}`);
        const layers = await result.locator('[data-testid="probe-row"] td:first-child').allTextContents();
        if (layers.join(',') !== 'conv1_input,conv1,pool1,conv2,pool2,flatten,dense1,probs') throw new Error(`probed layers: ${layers}`);
        const layout = await clipped(frame, '.latest-result [data-testid="probe-result"]');
        if (layout.out.length) throw new Error(`clipped at ${layout.width}px: ${layout.out.join('; ')}`);
        await result.scrollIntoViewIfNeeded();
        await page.mouse.move(5, 980);
        await sleep(400);
        await result.screenshot({ path: path.join(resultsDir, 'concepts-probes.png') });
        state.probes = { series, layers: layers.length };
      },
    },
  ].map((s) => ({ ...s, state }));
}

module.exports = { steps, SCREENSHOTS };
