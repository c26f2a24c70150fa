/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port; loopback only) that answers like an
 * OpenAI-compatible completions or chat endpoint, for testing the endpoint providers. Each test
 * gives it a handler; the server records every request (path, headers, JSON body) and the most
 * requests it ever had in flight. close() ends open connections too, so a slow handler never
 * keeps the test run alive.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

export interface Reply {
  status?: number;
  /** An object is sent as JSON; a string as it is. */
  body: unknown;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

export interface LmServer {
  /** http://127.0.0.1:<port>/v1 */
  base: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startLmServer(handler: (request: RecordedRequest) => Reply): Promise<LmServer> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // recorded as {}: the handler sees what it can
      }
      const request = { path: req.url ?? '', authorization: req.headers.authorization, body };
      requests.push(request);
      const reply = handler(request);
      const send = () => {
        inFlight--;
        if (res.destroyed) return;
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json' });
        res.end(text);
      };
      if (!reply.delayMs) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** OpenAI's and vLLM's legacy completions shape: logprobs.top_logprobs[0] = {token: logprob}. */
export function legacyCompletion(top: Record<string, number>, model = 'test-model'): object {
  const [first] = Object.keys(top);
  return {
    id: 'cmpl-1',
    object: 'text_completion',
    model,
    choices: [{ index: 0, text: first, finish_reason: 'length', logprobs: { tokens: [first], token_logprobs: [top[first]], top_logprobs: [top], text_offset: [0] } }],
  };
}

/** llama.cpp llama-server's (and the chat API's) shape: logprobs.content[0].top_logprobs = [{token, logprob}]. */
export function contentCompletion(top: Record<string, number>, model = 'test-model', chat = false): object {
  const entries = Object.entries(top).map(([token, logprob], id) => ({ id, token, bytes: [...Buffer.from(token)], logprob }));
  const logprobs = { content: [{ ...entries[0], top_logprobs: entries }] };
  const choice = chat ? { index: 0, message: { role: 'assistant', content: entries[0].token }, logprobs, finish_reason: 'length' } : { index: 0, text: entries[0].token, logprobs, finish_reason: 'length' };
  return { id: 'x-1', object: chat ? 'chat.completion' : 'text_completion', model, choices: [choice] };
}
