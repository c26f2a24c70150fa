// What the e2e steps share: retrying with a deadline, the command palette and its quick picks, the
// panel's toolkit dropdowns, and finding a model panel's frame.
'use strict';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An error that `retry` passes on at once instead of trying again (e.g. the panel shows a failure). */
function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

/** Calls `fn(attempt)` until it resolves; gives up with the last error after `timeoutMs`, or at once on a fatal one. */
async function retry(what, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (err && err.fatal) throw new Error(`${what}: ${err.message}`);
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: gave up after ${timeoutMs / 1000} s: ${last && last.message}`);
    await sleep(400);
  }
}

const row = (page, text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

/**
 * Runs a palette command by its title (F1, type, wait for the row, Enter); with `next`, resolves
 * once a quick pick row matching it shows. `focus` clicks the workbench first (a fresh page).
 */
async function palette(page, title, next, { focus = false } = {}) {
  await retry(`run "${title}" from the command palette`, 60_000, async () => {
    await page.keyboard.press('Escape');
    if (focus) await page.locator('.monaco-workbench').click({ position: { x: 5, y: 300 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.type(title, { delay: 5 }); // the palette opens with ">" already typed
    await row(page, title).waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.press('Enter');
    if (next) await row(page, next).waitFor({ state: 'visible', timeout: 10_000 });
  });
}

/** Clicks the first quick pick row showing `text`. */
async function pick(page, text) {
  await row(page, text).waitFor({ state: 'visible', timeout: 60_000 });
  await row(page, text).click();
}

/** Picks `label` in a toolkit dropdown (a web component: open it, click the option). */
async function choose(frame, testId, label) {
  await retry(`choose "${label}" in ${testId}`, 20_000, async () => {
    const dropdown = frame.locator(`[data-testid="${testId}"]`);
    await dropdown.click({ timeout: 3_000 });
    await frame.locator(`[data-testid="${testId}"] vscode-option`, { hasText: label }).first().click({ timeout: 3_000 });
    const value = await dropdown.evaluate((el) => el.currentValue ?? el.value);
    const text = await dropdown.evaluate((el) => el.selectedOptions?.[0]?.textContent ?? '');
    if (!text.includes(label)) throw new Error(`${testId} shows ${JSON.stringify(text)} (value ${JSON.stringify(value)})`);
  });
}

/** Throws a fatal error when the panel shows [data-testid=`testId`] (a failed run): no use waiting for a result. */
async function failIfShown(frame, testId) {
  const error = frame.locator(`[data-testid="${testId}"]`);
  if (await error.count()) throw fatal(`the panel shows an error: ${(await error.textContent()).replace(/\s+/g, ' ').trim()}`);
}

/** The frame of a model's panel (found anew: a hidden webview loses its frame), holding `testId`. */
async function modelFrame(page, model, testId = 'explain') {
  return retry(`the ${model} panel`, 60_000, async () => {
    for (const frame of page.frames()) {
      const h1 = await frame.$('.summary h1').catch(() => null);
      if (h1 && (await h1.textContent()).includes(model) && (await frame.$(`[data-testid="${testId}"]`))) return frame;
    }
    throw new Error(`no frame shows the ${model} summary with [data-testid="${testId}"]`);
  });
}

/**
 * WCAG AA over every visible text of `root` (4.5:1, 3:1 for large text), each colour against the
 * first opaque background behind it. Controls the toolkit draws inside shadow roots are the
 * workbench's own; disabled controls are exempt (WCAG 1.4.3).
 */
function contrastFailures(frame, selector) {
  return frame.evaluate((sel) => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg && bg[3] > 0) {
          layers.push(bg);
          if (bg[3] >= 1) break;
        }
      }
      let out = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse()) out = [r * a + out[0] * (1 - a), g * a + out[1] * (1 - a), b * a + out[2] * (1 - a)];
      return out;
    };
    const failures = [];
    const root = document.querySelector(sel);
    if (!root) return { checked: 0, failures: [`${sel}: not found`] };
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim() || !el.getClientRects().length) continue;
      seen.add(el);
      if (el.closest('[disabled], .sr-only, option, vscode-option')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      const fg = parse(style.color);
      const bg = background(el);
      const color = [fg[0] * fg[3] + bg[0] * (1 - fg[3]), fg[1] * fg[3] + bg[1] * (1 - fg[3]), fg[2] * fg[3] + bg[2] * (1 - fg[3])];
      const [a, b] = [lum(color), lum(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) failures.push(`${ratio.toFixed(2)}:1 "${n.textContent.trim().slice(0, 40)}" (${el.tagName.toLowerCase()}.${el.className}) ${style.color} on rgb(${bg.map(Math.round)})`);
    }
    return { checked: seen.size, failures };
  }, selector);
}

module.exports = { sleep, fatal, retry, palette, pick, choose, failIfShown, modelFrame, contrastFailures };
