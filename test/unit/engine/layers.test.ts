/**
 * The engine's folders import one way only: lower layers never import the method families above
 * them, and the families do not import each other (except where the table says).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ENGINE = path.resolve(__dirname, '../../../../src/engine');

/** Folder → the engine folders it may import (besides itself; files at the engine's root are above every folder). */
const ALLOWED: Record<string, string[]> = {
  common: [],
  backend: ['common'],
  checkpoint: ['common'],
  data: ['common', 'checkpoint'],
  model: ['common', 'checkpoint'],
  parallel: ['common', 'backend', 'checkpoint', 'model'],
  metrics: ['common', 'checkpoint', 'model'],
  saliency: ['common', 'checkpoint', 'data', 'model', 'parallel', 'metrics'],
  influence: ['common', 'checkpoint', 'data', 'model'],
  concepts: ['common', 'checkpoint', 'data', 'model'],
  lm: ['common', 'checkpoint', 'data', 'model'],
  counterfactuals: ['common', 'checkpoint', 'data', 'model'],
};
/** Files at the engine's root that every folder may import: errors, and the handler context's types. */
const ROOT_LEAVES = new Set(['errors.ts', 'handler.ts']);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('engine layering', () => {
  it('every engine folder has a rule', () => {
    const folders = fs.readdirSync(ENGINE, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepStrictEqual(folders.filter((f) => !(f in ALLOWED)), []);
  });

  it('no folder imports one above it', () => {
    const violations: string[] = [];
    for (const folder of Object.keys(ALLOWED)) {
      for (const file of tsFiles(path.join(ENGINE, folder))) {
        const source = fs.readFileSync(file, 'utf8');
        for (const [, spec] of source.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)) {
          const target = path.relative(ENGINE, path.resolve(path.dirname(file), spec));
          if (target.startsWith('..')) continue; // protocol, shared, media
          const [top, ...rest] = target.split(path.sep);
          if (rest.length === 0) {
            if (!ROOT_LEAVES.has(`${top}.ts`)) violations.push(`${path.relative(ENGINE, file)} imports the engine's ${top}`);
            continue;
          }
          if (top !== folder && !ALLOWED[folder].includes(top)) violations.push(`${path.relative(ENGINE, file)} imports ${target}`);
        }
      }
    }
    assert.deepStrictEqual(violations, []);
  });
});
