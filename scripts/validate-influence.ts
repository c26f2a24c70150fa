/**
 * `npm run validate:influence`: influence functions against retraining on a small CNN (issue #5,
 * Koh & Liang 2017 §5.1). Trains the CNN of scripts/lib/tinyCnn.ts on 1,000 MNIST digits to a
 * tight optimum, scores every training digit against the hardest held-out digit with the engine's
 * influence functions (all weights, CG, damping = the L2 strength), then removes each of the 50
 * most influential digits in turn and retrains warm-started from the optimum. Writes the scatter
 * plot and the numbers to bench/results/influence-cnn.{png,json}; exits 1 when Pearson r < 0.8.
 * Seeded and deterministic (wasm backend); a few minutes on 2 cores.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { FULL_CONFIG, validateInfluence } from './lib/influenceValidation';
import { writeJson } from './lib/json';
import { ROOT } from './lib/paths';
import { runScript } from './lib/run';
import { scatterPng } from './lib/scatterPng';

const REQUIRED_R = 0.8;
const OUT_DIR = path.join(ROOT, 'bench', 'results');

async function main(): Promise<void> {
  const { backend } = await initBackend('wasm');
  console.log(`backend ${backend}`);
  const result = await validateInfluence(FULL_CONFIG, (line) => console.log(line));
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const png = path.join(OUT_DIR, 'influence-cnn.png');
  const json = path.join(OUT_DIR, 'influence-cnn.json');
  const note = `r = ${result.r.toFixed(3)}`;
  fs.writeFileSync(png, scatterPng(result.retrainings.map((x) => ({ x: x.actual, y: x.predicted })), { x: 'actual change in test loss', y: 'predicted change in test loss', note }));
  const { retrainings, timingsMs, ...summary } = result;
  writeJson(json, {
    ...summary,
    requiredR: REQUIRED_R,
    config: FULL_CONFIG,
    backend,
    tfjsVersion: tf.version.tfjs,
    timingsS: Object.fromEntries(Object.entries(timingsMs).map(([k, ms]) => [k, Math.round(ms / 100) / 10])),
    retrainings,
  });
  console.log(`Pearson r = ${result.r.toFixed(4)} over ${retrainings.length} retrainings (required ≥ ${REQUIRED_R}); wrote ${path.relative(ROOT, png)} and ${path.relative(ROOT, json)}`);
  if (!(result.r >= REQUIRED_R)) throw new Error(`Pearson r = ${result.r} < ${REQUIRED_R}`);
}

runScript(main);
