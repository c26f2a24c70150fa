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

module.exports = { sleep, fatal, retry, palette, pick, choose, failIfShown, modelFrame };
