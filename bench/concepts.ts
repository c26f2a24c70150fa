/**
 * TCAV on examples/concepts-cnn as `npm run bench` times it: 2 concepts × 2 layers × 20 random runs,
 * 50 examples per set (and 50 class inputs), on a fresh engine; then the same request again, which
 * finds the activations, gradients and CAVs in the engine's caches. Reports the first run's total
 * and the shares of activations (reading the sets included), gradients and CAV training, and the
 * second run's time as a fraction of the first (measured back to back in one process).
 */
import * as path from 'path';
import { Engine } from '../src/engine/engine';
import { quietContext } from '../src/engine/common/context';
import type { BackendName } from '../src/protocol/model';

const MODEL = path.join(__dirname, '../../examples/concepts-cnn/model.json');
const LAYERS = ['conv2', 'dense1'];

export async function benchConcepts(backend: BackendName): Promise<Record<string, unknown>> {
  const engine = new Engine(() => {}, { helper: false });
  try {
    await engine.useBackend(backend);
    const params = { modelPath: MODEL, class: 'zebra', layers: LAYERS };
    await engine.checkpoint(MODEL); // loading the model is not TCAV's cost
    const first = await engine.run('tcav', params, quietContext());
    const second = await engine.run('tcav', params, quietContext());
    const share = (ms: number) => Math.round((ms / first.ms) * 1000) / 1000;
    const round = (ms: number) => Math.round(ms);
    return {
      request: `${first.results.length / LAYERS.length} concepts × ${LAYERS.length} layers × ${first.randomSets.runs} random runs, ${first.randomSets.size} examples per set, ${first.classInputs.count} class inputs`,
      firstMs: round(first.ms),
      share: { activations: share(first.timings.activationsMs), gradients: share(first.timings.gradientsMs), cavTraining: share(first.timings.cavMs) },
      secondMs: round(second.ms),
      secondCached: second.cached,
      secondOverFirst: Math.round((second.ms / first.ms) * 1000) / 1000,
      scores: Object.fromEntries(first.results.map((r) => [`${r.concept}@${r.layer}`, { score: r.score, pValue: Number(r.pValue.toPrecision(3)), significant: r.significant }])),
    };
  } finally {
    engine.dispose();
  }
}
