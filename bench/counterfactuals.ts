/**
 * The counterfactual benchmarks of `npm run bench`: linear-exact and gradient --count 3 on the
 * penguins example, region swap on the MNIST example, each a whole request through the engine on
 * a loaded model, input and training set (one warm-up run first).
 */
import * as path from 'path';
import type { Params } from '../src/protocol/engine';
import type { BackendName } from '../src/protocol/model';
import { Engine } from '../src/engine/engine';
import { quietContext } from '../src/engine/common/context';

const EXAMPLES = path.join(__dirname, '../../examples');
const penguins = { modelPath: path.join(EXAMPLES, 'penguins-logreg/model.json'), inputPath: path.join(EXAMPLES, 'penguins-logreg/samples/adelie.csv'), target: 'Gentoo' };

export const COUNTERFACTUAL_BENCH: Record<string, Params<'counterfactual'>> = {
  linearExactPenguins: { ...penguins, method: 'linear-exact' },
  gradient3Penguins: { ...penguins, method: 'gradient', count: 3 },
  regionSwapMnist: { modelPath: path.join(EXAMPLES, 'mnist-cnn/model.json'), inputPath: path.join(EXAMPLES, 'mnist-cnn/samples/digit-3-0.png'), target: 8, method: 'region-swap' },
};

/** A function that runs the benchmark once, on an engine started on `backend`. */
export async function counterfactualBench(backend: BackendName, name: string): Promise<() => Promise<unknown>> {
  const engine = new Engine(() => {}, { helper: false });
  await engine.useBackend(backend);
  return () => engine.run('counterfactual', COUNTERFACTUAL_BENCH[name], quietContext());
}
