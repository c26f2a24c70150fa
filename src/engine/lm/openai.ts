/**
 * OpenAI-compatible servers as language models: `openai:<base-url>` posts the prompt to
 * {base}/completions with {model, prompt, max_tokens: 1, temperature: 0, logprobs: k};
 * `openai-chat:<base-url>` sends it as the user message to {base}/chat/completions with
 * {logprobs: true, top_logprobs: k} (Ollama's /v1/completions returns no log-probabilities; its chat
 * endpoint does). temperature 0 always: some servers default to 1. The first token's top
 * log-probabilities are read in both shapes servers use: OpenAI's and vLLM's legacy
 * `logprobs.top_logprobs[0]` ({token: logprob}) and llama.cpp's and the chat API's
 * `logprobs.content[0].top_logprobs` ([{token, logprob}]).
 *
 * The API key is sent as `Authorization: Bearer …` and nowhere else: it is never part of a
 * message, a log line or a result (a server that echoes it has it replaced by "***").
 */
import { LensError } from '../errors';
import { labelDistribution, type TopToken } from './labelProbabilities';
import type { LabelDistribution, LanguageModel, PromptToken } from './provider';
import { promptWords } from '../../shared/icl/prompt';

export interface EndpointConfig {
  kind: 'openai' | 'openai-chat';
  baseUrl: string;
  /** Sent as `model` when given; the result names the model the server says answered. */
  model?: string;
  apiKey?: string;
  topLogprobs: number;
  timeoutMs: number;
}

/** Which servers return log-probabilities where, for the error that finds none. */
const WHO_RETURNS_LOGPROBS: Record<EndpointConfig['kind'], string> = {
  openai: "OpenAI's, vLLM's and llama.cpp's llama-server's /v1/completions return them; Ollama's /v1/completions does not: use openai-chat:<base-url> with Ollama",
  'openai-chat': "OpenAI's, vLLM's, llama.cpp's and Ollama's /v1/chat/completions return them when asked with logprobs: true",
};

export class OpenAiEndpoint implements LanguageModel {
  readonly endpoint: string;
  requests = 0;
  private answeredBy: string | undefined;

  constructor(private readonly config: EndpointConfig) {
    this.endpoint = `${config.baseUrl.replace(/\/+$/, '')}/${config.kind === 'openai' ? 'completions' : 'chat/completions'}`;
  }

  get model(): string {
    return this.answeredBy ?? this.config.model ?? '';
  }

  tokens(prompt: string): PromptToken[] {
    return promptWords(prompt);
  }

  async score(prompt: string, labels: readonly string[], signal: AbortSignal): Promise<LabelDistribution> {
    const { kind, model, topLogprobs } = this.config;
    const common = { ...(model !== undefined ? { model } : {}), max_tokens: 1, temperature: 0 };
    const body =
      kind === 'openai'
        ? { ...common, prompt, logprobs: topLogprobs }
        : { ...common, messages: [{ role: 'user', content: prompt }], logprobs: true, top_logprobs: topLogprobs };
    this.requests++;
    const response = await this.post(body, signal);
    if (typeof response.model === 'string' && response.model.length > 0) this.answeredBy = response.model;
    return labelDistribution(this.topTokens(response), labels);
  }

  dispose(): void {}

  /** The first generated token's top log-probabilities, in either shape. */
  private topTokens(response: Record<string, unknown>): TopToken[] {
    const choice = Array.isArray(response.choices) ? (response.choices[0] as Record<string, unknown> | undefined) : undefined;
    if (!choice) throw this.fault(`The response from ${this.endpoint} has no choices: it is not a ${this.config.kind === 'openai' ? 'completion' : 'chat completion'}.`);
    const logprobs = choice.logprobs as Record<string, unknown> | null | undefined;
    const legacy = Array.isArray(logprobs?.top_logprobs) ? logprobs.top_logprobs[0] : undefined;
    if (legacy !== null && typeof legacy === 'object' && !Array.isArray(legacy)) {
      return Object.entries(legacy as Record<string, unknown>).filter(([, v]) => typeof v === 'number').map(([token, logprob]) => ({ token, logprob: logprob as number }));
    }
    const first = Array.isArray(logprobs?.content) ? (logprobs.content[0] as Record<string, unknown> | undefined) : undefined;
    if (first && Array.isArray(first.top_logprobs)) {
      return (first.top_logprobs as Record<string, unknown>[])
        .filter((t) => typeof t?.token === 'string' && typeof t.logprob === 'number')
        .map((t) => ({ token: t.token as string, logprob: t.logprob as number }));
    }
    throw this.fault(`The response from ${this.endpoint} has no log-probabilities (${WHO_RETURNS_LOGPROBS[this.config.kind]}).`);
  }

  private async post(body: object, signal: AbortSignal): Promise<Record<string, unknown>> {
    const url = this.endpoint;
    const seconds = this.config.timeoutMs / 1000;
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) });
      status = res.status;
      text = await res.text();
    } catch (err) {
      signal.throwIfAborted();
      if (timeout.aborted) throw this.fault(`No answer from ${url} within ${seconds} s: raise the timeout or check the server.`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw this.fault(`Cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (status < 200 || status >= 300) throw this.fault(`HTTP ${status} from ${url}: ${oneLine(text) || 'no message'}`);
      throw this.fault(`The response from ${url} is not JSON (HTTP ${status}, body starts ${JSON.stringify(oneLine(text).slice(0, 60))}).`);
    }
    if (status < 200 || status >= 300) throw this.fault(`HTTP ${status} from ${url}: ${serverMessage(json) ?? (oneLine(text) || 'no message')}`);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw this.fault(`The response from ${url} is JSON but not an object.`);
    return json as Record<string, unknown>;
  }

  /** A provider error whose message can never carry the API key. */
  private fault(message: string): LensError {
    const key = this.config.apiKey;
    return new LensError('PROVIDER_ERROR', key ? message.split(key).join('***') : message);
  }
}

/** The error message in the bodies OpenAI, vLLM, llama.cpp and Ollama send: {error: {message}}, {error: "…"}, {message}, {detail}. */
function serverMessage(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const error = o.error as Record<string, unknown> | string | undefined;
  const text = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : typeof o.message === 'string' ? o.message : typeof o.detail === 'string' ? o.detail : undefined;
  return text === undefined ? undefined : oneLine(text);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
