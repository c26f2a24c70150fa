/**
 * `model-lens`: the engine, headless. Every subcommand's --json prints exactly one JSON object on
 * stdout; every failure is one line on stderr and a non-zero exit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { BACKEND_CHOICES, type BackendChoice } from './protocol/model';
import type { MethodName, Params, Result } from './protocol/engine';
import { Engine } from './engine/engine';
import { LensError, toWireError } from './engine/errors';
import { formatCounterfactual, formatIcl, formatInfluence, formatPrediction, formatProbe, formatSaliency, formatSummary, formatTcav, influenceJson, saliencyJson } from './cli/format';
import { PROBE_FLAGS, probeParams, TCAV_FLAGS, TCAV_USAGE, tcavParams } from './cli/conceptArgs';
import { progressMode, progressReporter } from './cli/progress';
import { repeatCount, SALIENCY_FLAGS, SALIENCY_USAGE, saliencyParams } from './cli/saliencyArgs';
import { INFLUENCE_FLAGS, INFLUENCE_TAKES, INFLUENCE_USAGE, influenceParams } from './cli/influenceArgs';
import { ICL_FLAGS, ICL_TAKES, ICL_USAGE, iclParams } from './cli/iclArgs';
import { COUNTERFACTUAL_FLAGS, COUNTERFACTUAL_USAGE, counterfactualParams } from './cli/counterfactualArgs';
import { hasImages, imageFolder, writeImages } from './cli/counterfactualImages';
import { argSpecs, helpLine, readOptions, validateOptions } from './cli/options';
import { textFlag, type Flags } from './cli/flags';
import { fieldSpecs } from './protocol/options';
import { heatmapPng } from './cli/heatmap';

const PREDICT_TOP = fieldSpecs('predict').find((f) => f.key === 'top')!;

const USAGE = `Usage: model-lens <command> [options]

Commands:
  info <model.json>                    Load a TF.js checkpoint with its weights and print its summary
  predict <model.json> --input <file>  Run an image (PNG/JPEG), CSV rows or tensor JSON through the model
${SALIENCY_USAGE.split('\n\n')[0]}
${INFLUENCE_USAGE.split('\n\n')[0]}
${TCAV_USAGE.split('\n\n')[0]}
${ICL_USAGE.split('\n\n')[0]}
${COUNTERFACTUAL_USAGE.split('\n\n')[0]}

Options:
${helpLine('  --json', 'Print one JSON object on stdout')}
${helpLine('  --backend <name>', `${BACKEND_CHOICES.join(' | ')} (default: auto)`)}
${helpLine('  --quiet', 'No progress on stderr (by default: a bar on a terminal, else one line per stage of a command past 1 s); Ctrl-C cancels')}
${helpLine('  --input <file>', 'predict, saliency, influence, counterfactual: the input file')}
${helpLine('  --top <n>', `predict: ${PREDICT_TOP.description} (default: ${PREDICT_TOP.default}); influence: see below`)}
${helpLine('  -h, --help', 'Show this help')}
${helpLine('  -v, --version', 'Show the version')}

${SALIENCY_USAGE.split('\n\n')[1]}

${INFLUENCE_USAGE.split('\n\n')[1]}

${TCAV_USAGE.split('\n\n').slice(1).join('\n\n')}

${ICL_USAGE.split('\n\n')[1]}

${COUNTERFACTUAL_USAGE.split('\n\n')[1]}`;

const EXIT_USAGE = 2;
/** A run cancelled by Ctrl-C exits as shells expect of SIGINT: 128 + 2. */
const EXIT_CANCELLED = 130;

const GLOBAL_FLAGS = ['json', 'backend', 'quiet', 'help', 'version'];
/** The flags each command takes besides the global ones. */
const COMMAND_FLAGS: Record<string, string[]> = {
  info: [],
  predict: Object.keys(argSpecs('predict')),
  saliency: ['input', ...Object.keys(SALIENCY_FLAGS)],
  influence: INFLUENCE_TAKES,
  tcav: Object.keys(TCAV_FLAGS),
  probe: Object.keys(PROBE_FLAGS),
  icl: ICL_TAKES,
  counterfactual: Object.keys(COUNTERFACTUAL_FLAGS),
};

/** Progress on stderr; print() and the error handler clear its terminal line before they write. */
let progress = progressReporter('off');

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      quiet: { type: 'boolean', default: false },
      ...argSpecs('predict'),
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
      ...SALIENCY_FLAGS,
      ...INFLUENCE_FLAGS,
      ...PROBE_FLAGS,
      ...TCAV_FLAGS,
      ...ICL_FLAGS,
      ...COUNTERFACTUAL_FLAGS,
    },
  });
  if (values.help) return print(USAGE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON outside rootDir, read at run time
  if (values.version) return print(require('../package.json').version);
  const [command, ...args] = positionals;
  if (!BACKEND_CHOICES.includes(values.backend as BackendChoice)) {
    throw usage(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  }
  progress = progressReporter(progressMode(values.quiet, process.stderr.isTTY));
  const engine = new Engine((level, message) => {
    if (level === 'info') return;
    progress.clear();
    console.error(`model-lens: ${level}: ${message}`);
  });
  const ctx = { signal: cancelOnInterrupt(), onProgress: progress.show };
  /** Runs one request on the chosen backend and prints its JSON or its formatted text; `output` turns the result into what is printed (counterfactual images into files). */
  const answer = async <M extends MethodName>(method: M, params: Params<M>, format: (result: Result<M>) => string, output = (result: Result<M>) => result): Promise<number> => {
    await engine.useBackend(values.backend as BackendChoice);
    const result = output(await engine.run(method, params, ctx));
    return print(values.json ? JSON.stringify(result) : format(result));
  };
  if (command && Object.hasOwn(COMMAND_FLAGS, command)) {
    // parseArgs accepts every command's flags everywhere: refuse the ones this command would ignore.
    const given = Object.entries(values).filter(([, v]) => v !== undefined && v !== false).map(([k]) => k);
    const stray = given.find((k) => !GLOBAL_FLAGS.includes(k) && !COMMAND_FLAGS[command].includes(k));
    if (stray) throw usage(`${command} takes no --${stray}`);
  }
  switch (command) {
    case 'info': {
      if (args.length !== 1) throw usage('info takes exactly one model.json path');
      await engine.useBackend(values.backend as BackendChoice);
      const summary = await engine.run('info', { modelPath: args[0] }, ctx);
      // The text lists it among the warnings; --json readers see it on stderr too, never a silent fallback.
      if (values.json && summary.sidecar.error) warn(summary.sidecar.error);
      return print(values.json ? JSON.stringify(summary) : formatSummary(summary));
    }
    case 'predict': {
      if (args.length !== 1) throw usage('predict takes exactly one model.json path');
      if (!textFlag((values as Flags).input)) throw usage('predict needs --input <file>');
      await engine.useBackend(values.backend as BackendChoice);
      const params = { modelPath: args[0], ...readOptions('predict', values, usage) };
      validateOptions('predict', params, usage);
      const prediction = await engine.run('predict', params, ctx);
      return print(values.json ? JSON.stringify(prediction) : formatPrediction(prediction));
    }
    case 'saliency': {
      if (args.length !== 1) throw usage('saliency takes exactly one model.json path');
      const params = saliencyParams(args[0], textFlag((values as Flags).input), values, usage);
      const repeat = repeatCount(values, usage);
      await engine.useBackend(values.backend as BackendChoice);
      const result = await engine.run('saliency', params, ctx);
      if (values.repeat !== undefined) {
        // The run above warmed up the model, the kernels and the caches; time only what follows.
        const runsMs: number[] = [];
        for (let i = 0; i < repeat; i++) runsMs.push((await engine.run('saliency', params, ctx)).ms);
        Object.assign(result, { ms: median(runsMs), runsMs });
      }
      let files: { heatmap: string; result: string } | undefined;
      if (values.out) {
        files = { heatmap: path.resolve(values.out, 'heatmap.png'), result: path.resolve(values.out, 'result.json') };
        fs.mkdirSync(values.out, { recursive: true });
        fs.writeFileSync(files.heatmap, heatmapPng(result));
        fs.writeFileSync(files.result, JSON.stringify(saliencyJson(result), null, 2) + '\n');
      }
      if (values.json) result.warnings?.forEach(warn);
      return print(values.json ? JSON.stringify(saliencyJson(result, files)) : formatSaliency(result, files));
    }
    case 'influence': {
      if (args.length !== 1) throw usage('influence takes exactly one model.json path');
      const params = influenceParams(args[0], values, usage);
      await engine.useBackend(values.backend as BackendChoice);
      const result = await engine.run('influence', params, ctx);
      return print(values.json ? JSON.stringify(influenceJson(result, values.previews)) : formatInfluence(result));
    }
    case 'tcav':
      if (args.length !== 1) throw usage('tcav takes exactly one model.json path');
      return answer('tcav', tcavParams(args[0], values as Flags, usage), formatTcav);
    case 'probe':
      if (args.length !== 1) throw usage('probe takes exactly one model.json path');
      return answer('probe', probeParams(args[0], values as Flags, usage), formatProbe);
    case 'icl':
      if (args.length !== 1) throw usage('icl takes exactly one prompt spec (*.icl.json)');
      return answer('icl', iclParams(args[0], values, usage), formatIcl);
    case 'counterfactual': {
      if (args.length !== 1) throw usage('counterfactual takes exactly one model.json path');
      // Images become files (--out, or a new temp folder) that the output names.
      const files = (r: Result<'counterfactual'>) => (hasImages(r) ? writeImages(r, imageFolder(textFlag((values as Flags).out))) : r);
      return answer('counterfactual', counterfactualParams(args[0], values as Flags, usage), formatCounterfactual, files);
    }
    case undefined:
      throw usage('missing command');
    default:
      throw usage(`unknown command '${command}'`);
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Ctrl-C aborts the engine's work through its AbortSignal: the method stops at its next batch and the
 * run ends with one line. A second Ctrl-C exits at once.
 */
function cancelOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(EXIT_CANCELLED));
  });
  return controller.signal;
}

function warn(message: string): void {
  progress.clear();
  console.error(`model-lens: warning: ${message}`);
}

function print(text: string): number {
  progress.clear();
  process.stdout.write(text + '\n');
  return 0;
}

function usage(message: string): LensError {
  return Object.assign(new LensError('BAD_REQUEST', `${message} (see model-lens --help)`), { exitCode: EXIT_USAGE });
}

// Libraries that log to stdout would corrupt --json output: send their chatter to stderr.
console.log = console.info = (...args: unknown[]) => console.error(...args);

/**
 * Exits once stdout has taken everything: writes to a pipe are asynchronous, and exiting at once cut
 * a large --json result off at 64 KB.
 */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  exitAfterOutput,
  (err: unknown) => {
    // An AbortError's code is a number (DOMException's): only Node's own errors have string codes.
    const code = (err as { code?: unknown }).code;
    const badArgs = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
    // Node's own parse errors can span lines: keep the promise of one line.
    const wire = toWireError(err);
    const message = badArgs ? `${(err as Error).message.replace(/\s*\n\s*/g, ' ')} (see model-lens --help)` : wire.message;
    progress.clear();
    if (wire.code === 'CANCELLED') {
      process.stderr.write('model-lens: cancelled\n');
      process.exit(EXIT_CANCELLED);
    }
    process.stderr.write(`model-lens: error: ${message}\n`);
    process.exit(badArgs ? EXIT_USAGE : ((err as { exitCode?: number }).exitCode ?? 1));
  },
);
