/**
 * ICL comparison timings for `npm run bench`, measured back to back in one process: the tiny
 * decoder's milliseconds per variant on its example spec (40 queries), without saliency and with
 * gradient saliency; and word occlusion's requests per second against the test suite's local
 * server (answering after a fixed 10 ms, as a fast local model server would) at concurrency 1 and 4.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../src/engine/engine';
import type { RunContext } from '../src/protocol/engine';
import { ICL_VARIANTS, type IclResult } from '../src/protocol/icl';
import { legacyCompletion, startLmServer } from '../test/helpers/lmServer';

const ROOT = path.join(__dirname, '../..');
const SPEC = path.join(ROOT, 'examples/tiny-decoder/sentiment.icl.json');
const MODEL = path.join(ROOT, 'examples/tiny-decoder/model.json');
const SERVER_LATENCY_MS = 10;

const quiet: RunContext = { signal: new AbortController().signal, onProgress: () => {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function iclBench(repeats: number): Promise<Record<string, unknown>> {
  const engine = new Engine(() => {}, { helper: false });
  try {
    const backend = await engine.useBackend('wasm');
    const run = (params: object) => engine.run('icl', { specPath: SPEC, ...params }, quiet) as Promise<IclResult>;
    const local: Record<string, unknown> = {};
    await run({ provider: `local:${MODEL}`, variants: ['original'], saliency: 'gradient' }); // warm-up: load, kernels
    for (const variant of ICL_VARIANTS) {
      const times = { plain: [] as number[], gradient: [] as number[] };
      for (let i = 0; i < repeats; i++) {
        times.plain.push((await run({ provider: `local:${MODEL}`, variants: [variant] })).ms);
        times.gradient.push((await run({ provider: `local:${MODEL}`, variants: [variant], saliency: 'gradient' })).ms);
      }
      local[variant] = { msPerVariant: median(times.plain), msPerVariantWithGradientSaliency: median(times.gradient) };
    }
    const queries = JSON.parse(fs.readFileSync(SPEC, 'utf8')).queries.length;

    const server = await startLmServer(() => ({ body: legacyCompletion({ ' positive': Math.log(0.6), ' negative': Math.log(0.3) }), delayMs: SERVER_LATENCY_MS }));
    const endpoint: Record<string, unknown> = {};
    try {
      for (const concurrency of [1, 4]) {
        const rates: number[] = [];
        for (let i = 0; i < Math.max(1, Math.floor(repeats / 2)); i++) {
          const before = server.requests.length;
          const started = performance.now();
          await run({ provider: `openai:${server.base}`, variants: ['original'], saliency: 'occlusion', concurrency });
          rates.push(((server.requests.length - before) * 1000) / (performance.now() - started));
        }
        endpoint[`concurrency${concurrency}`] = { requestsPerSecond: Math.round(median(rates) * 10) / 10 };
      }
    } finally {
      await server.close();
    }
    return { backend, queriesPerVariant: queries, tinyDecoder: local, endpointOcclusion: { serverLatencyMs: SERVER_LATENCY_MS, ...endpoint } };
  } finally {
    engine.dispose();
  }
}
