/** `model-lens icl`: its flags, and how they become an icl request (options from the schema; the API key from the environment). */
import type { Params } from '../protocol/engine';
import { splitProvider } from '../protocol/options/icl';
import { textFlag, type Flags, type UsageError } from './flags';
import { argSpecs, helpLine, optionHelp, readOptions, validateOptions } from './options';

/** The CLI-only flag of icl: where the API key is (the extension keeps it in SecretStorage instead). */
const CLI_FLAGS = { 'api-key-env': { type: 'string' } } as const;

export const ICL_FLAGS = { ...argSpecs('icl'), ...CLI_FLAGS };

/** Every flag `icl` takes besides the global ones. */
export const ICL_TAKES = Object.keys(ICL_FLAGS);

export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY';

export const ICL_USAGE = `  icl <spec.json> --provider local:<model.json>|openai:<base-url>|openai-chat:<base-url>
                                       Compare a language model's predictions and token saliency under
                                       original, flipped, neutral and explained demonstrations

ICL options:
${optionHelp('icl', { hints: { provider: '<kind:target>', variants: '<v1,v2>' } })}
${helpLine('  --api-key-env <name>', `endpoints: the environment variable holding the API key, sent as a Bearer token and never printed (default: ${DEFAULT_API_KEY_ENV}; no key is sent when it is unset)`)}`;

export function iclParams(specPath: string, flags: Flags, usage: UsageError, env: NodeJS.ProcessEnv = process.env): Params<'icl'> {
  const provider = textFlag(flags.provider);
  if (provider === undefined) throw usage('icl needs --provider local:<model.json>|openai:<base-url>|openai-chat:<base-url>');
  const given = readOptions('icl', flags, usage, { variants: (text) => text.split(',').map((v) => v.trim()) });
  const params = { specPath, ...given };
  validateOptions('icl', params, usage);
  const saliency = textFlag(flags.saliency);
  if ((saliency === 'gradient' || saliency === 'integrated-gradients') && splitProvider(provider).kind !== 'local') {
    throw usage(`--saliency ${saliency} needs --provider local:<model.json>: endpoints return no gradients (use --saliency occlusion)`);
  }
  const apiKey = apiKeyOf(provider, textFlag(flags['api-key-env']), env, usage);
  // Only what was given: the engine applies the defaults, and its result's options record them.
  return { ...params, ...(apiKey !== undefined ? { apiKey } : {}) } as Params<'icl'>;
}

/** The key in the named variable (default OPENAI_API_KEY, where unset means none); never for a local model. */
function apiKeyOf(provider: string, name: string | undefined, env: NodeJS.ProcessEnv, usage: UsageError): string | undefined {
  const local = splitProvider(provider).kind === 'local';
  if (name === undefined) return local ? undefined : env[DEFAULT_API_KEY_ENV] || undefined;
  if (local) throw usage('--api-key-env applies to openai: and openai-chat: providers, not local:');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usage(`--api-key-env: must be an environment variable's name; got '${name}'`);
  const key = env[name];
  if (!key) throw usage(`--api-key-env: the environment variable ${name} is not set`);
  return key;
}
