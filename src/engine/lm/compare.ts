/**
 * The `icl` request: the prompt spec's queries under each variant (original, flipped, neutral,
 * explained), sent to one language model; per query the label probabilities, the prediction and,
 * with saliency, each token's attribution to the predicted label; per variant accuracy,
 * flip-following and saliency shares; and the original-vs-flipped difference token by token.
 *
 * Every request an endpoint gets is counted and announced before the first is sent; requests run
 * `concurrency` at a time and stop when the run is cancelled. The API key reaches the provider
 * only: it is not an option, so it is in no result.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Params, RunContext } from '../../protocol/engine';
import { ICL_VARIANTS, type IclOptions, type IclQueryResult, type IclResult, type IclVariant, type IclVariantResult } from '../../protocol/icl';
import { splitProvider } from '../../protocol/options/icl';
import { buildPrompt, flipLabel, promptWords, variantDemonstrations, type BuiltPrompt } from '../../shared/icl/prompt';
import { SpecError, checkVariants, parseSpec } from '../../shared/icl/spec';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { LocalLanguageModel } from './local';
import { occlusionPrompts, occlusionSaliency } from './occlusion';
import { OpenAiEndpoint } from './openai';
import { mapConcurrently } from './pool';
import { predictedLabel, type GradientMethod, type LabelDistribution, type LanguageModel } from './provider';
import { demoContributions, flipDifference, meanShares, placeTokens, publicToken, saliencyShares, variantRates, type PlacedToken } from './summary';

interface PromptRun {
  variant: IclVariant;
  query: number;
  prompt: BuiltPrompt;
  distribution?: LabelDistribution;
  saliency?: number[];
  completenessDelta?: number;
}

export async function compareIcl(engine: HandlerContext, params: Params<'icl'>, ctx: RunContext): Promise<IclResult> {
  const started = Date.now();
  // Defaults were applied at the engine's boundary (src/protocol/options); the key is no option.
  const { apiKey, ...options } = params;
  const spec = readSpec(options.specPath);
  // Spec order, whatever order they were asked in.
  const variants = ICL_VARIANTS.filter((v) => options.variants!.includes(v));
  try {
    checkVariants(spec, variants, path.basename(options.specPath), options.flipCount);
  } catch (err) {
    throw err instanceof SpecError ? new LensError('BAD_REQUEST', err.message) : err;
  }
  const lm = await openModel(engine, options, apiKey);
  try {
    if ((options.saliency === 'gradient' || options.saliency === 'integrated-gradients') && !lm.gradientSaliency) {
      throw new LensError('BAD_REQUEST', `Saliency '${options.saliency}' needs a local model (local:<model.json>): an endpoint returns no gradients. Use occlusion.`);
    }
    const runs: PromptRun[] = variants.flatMap((variant) => spec.queries.map((q, query) => ({ variant, query, prompt: buildPrompt(spec, variant, q, options.flipCount) })));
    const warnings = lm instanceof LocalLanguageModel ? unknownPieceWarning(lm, runs) : [];

    // Every request (or model pass) is counted and announced before the first one starts.
    const occlusions = options.saliency === 'occlusion' ? runs.map((r) => occlusionPrompts(r.prompt.text)) : [];
    const saliencyPasses = options.saliency === 'occlusion' ? occlusions.reduce((n, o) => n + o.length, 0) : options.saliency ? runs.length : 0;
    const total = runs.length + saliencyPasses;
    let done = 0;
    const step = () => ctx.onProgress(++done, total);
    ctx.onProgress(0, total, lm.endpoint ? `${total} requests to ${lm.endpoint}, ${options.concurrency} at a time` : `${total} model passes`);
    const concurrency = lm.endpoint ? options.concurrency! : 1;
    const scoreAll = (prompts: readonly string[]) =>
      mapConcurrently(prompts, concurrency, ctx.signal, async (prompt) => {
        const distribution = await lm.score(prompt, spec.labels, ctx.signal);
        step();
        return distribution;
      });

    const distributions = await scoreAll(runs.map((r) => r.prompt.text));
    runs.forEach((run, r) => (run.distribution = distributions[r]));
    if (options.saliency === 'occlusion') {
      const scored = await scoreAll(occlusions.flatMap((prompts) => prompts.map((o) => o.prompt)));
      let at = 0;
      runs.forEach((run, r) => {
        const without = scored.slice(at, (at += occlusions[r].length));
        const predicted = predictedLabel(run.distribution!, spec.labels);
        // With every label below the top-k there is no prediction to attribute.
        if (predicted !== null) run.saliency = occlusionSaliency(run.distribution!, predicted, without);
      });
    } else if (options.saliency) {
      const method: GradientMethod = options.saliency === 'gradient' ? { kind: 'gradient' } : { kind: 'integrated-gradients', steps: options.steps! };
      for (const run of runs) {
        const attributed = await lm.gradientSaliency!(run.prompt.text, predictedLabel(run.distribution!, spec.labels)!, method, { signal: ctx.signal, onProgress: () => {} });
        run.saliency = attributed.values;
        run.completenessDelta = attributed.completenessDelta;
        step();
      }
    }

    // Occlusion attributes words, whatever the model's tokens are.
    const tokensOf = (text: string) => (options.saliency === 'occlusion' ? promptWords(text) : lm.tokens(text));
    const placed: Partial<Record<IclVariant, PlacedToken[][]>> = {};
    const results: Partial<Record<IclVariant, IclVariantResult>> = {};
    for (const variant of variants) {
      const own = runs.filter((r) => r.variant === variant);
      placed[variant] = own.map((r) => placeTokens(r.prompt, tokensOf(r.prompt.text), r.saliency ?? null));
      const queries = own.map((r, i) => queryResult(r, placed[variant]![i], spec.labels, spec.queries[r.query], spec.demonstrations.length));
      results[variant] = {
        ...variantRates(queries, variant === 'flipped'),
        saliencyShares: options.saliency ? meanShares(queries.map((q) => saliencyShares(q.tokens))) : null,
        demonstrations: variantDemonstrations(spec, variant, options.flipCount),
        queries,
      };
    }
    return {
      provider: options.provider,
      model: lm.model,
      variants: results,
      difference: flipDifference(results.original, results.flipped, { original: placed.original ?? [], flipped: placed.flipped ?? [] }),
      requests: lm.requests,
      warnings,
      options,
      backend: engine.backend,
      ms: Date.now() - started,
    };
  } finally {
    lm.dispose();
  }
}

function queryResult(run: PromptRun, tokens: PlacedToken[], labels: string[], query: { input: string; label?: string }, demonstrations: number): IclQueryResult {
  const distribution = run.distribution!;
  const predicted = predictedLabel(distribution, labels);
  const label = query.label ?? null;
  const shown = tokens.map(publicToken);
  return {
    input: query.input,
    label,
    prompt: run.prompt.text,
    probs: distribution.probs,
    coverage: distribution.coverage,
    belowTopK: distribution.belowTopK,
    topKMin: distribution.topKMin,
    predicted,
    correct: label === null ? null : predicted === label,
    followsFlip: run.variant !== 'flipped' || label === null ? null : predicted === flipLabel(labels, label),
    tokens: shown,
    demoContributions: demoContributions(shown, demonstrations),
    ...(run.completenessDelta !== undefined ? { completenessDelta: run.completenessDelta } : {}),
  };
}

function readSpec(file: string): ReturnType<typeof parseSpec> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LensError('FILE_NOT_FOUND', `${file} does not exist or cannot be read.`);
  }
  try {
    return parseSpec(text, path.basename(file));
  } catch (err) {
    throw err instanceof SpecError ? new LensError('INVALID_INPUT', err.message) : err;
  }
}

async function openModel(engine: HandlerContext, options: IclOptions, apiKey: string | undefined): Promise<LanguageModel> {
  const { kind, target } = splitProvider(options.provider);
  if (kind === 'local') return new LocalLanguageModel(await engine.checkpoint(target), options.model ?? target);
  return new OpenAiEndpoint({ kind, baseUrl: target, model: options.model, apiKey, topLogprobs: options.topLogprobs!, timeoutMs: options.timeout! * 1000 });
}

/** One warning naming the prompt pieces outside a local model's vocabulary (read as its unknown token). */
function unknownPieceWarning(lm: LocalLanguageModel, runs: readonly PromptRun[]): string[] {
  const unknown = [...new Set(runs.flatMap((r) => lm.unknownPieces(r.prompt.text)))];
  if (unknown.length === 0) return [];
  const shown = unknown.slice(0, 8).map((p) => JSON.stringify(p)).join(', ');
  return [`${unknown.length} piece${unknown.length === 1 ? '' : 's'} of the prompts ${unknown.length === 1 ? 'is' : 'are'} not in the model's vocabulary and read as its unknown token: ${shown}${unknown.length > 8 ? ', …' : ''}.`];
}
