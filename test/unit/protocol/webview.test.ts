import * as assert from 'assert';
import { parseFromWebview } from '../../../src/protocol/webview';

describe('protocol/webview: messages from the panel are validated', () => {
  it('accepts the known messages', () => {
    for (const type of ['ready', 'reload', 'openSidecar', 'showLog']) assert.deepStrictEqual(parseFromWebview({ type }), { type });
    assert.deepStrictEqual(parseFromWebview({ type: 'rendered', modelPath: '/m/model.json' }), { type: 'rendered', modelPath: '/m/model.json' });
  });

  it('rejects hostile or malformed messages', () => {
    const hostile: unknown[] = [
      null,
      undefined,
      42,
      'ready',
      [],
      ['ready'],
      {},
      { type: 42 },
      { type: 'runShell', command: 'rm -rf /' },
      { type: 'ready', extra: 'payload' },
      { type: 'rendered' },
      { type: 'rendered', modelPath: 7 },
      { type: 'rendered', modelPath: 'x'.repeat(5000) },
      { type: '__proto__' },
      JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'),
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });
});
