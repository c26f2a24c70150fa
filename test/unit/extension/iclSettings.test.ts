/**
 * The modelLens.icl settings under Workspace Trust, from what inspect() reports: trusted, VS Code's
 * order (folder, workspace, user, default); untrusted, never a workspace value (each one ignored is
 * named in a note), the user's value or the default. Every combination of where a value is set is
 * enumerated against that rule.
 */
import * as assert from 'assert';
import { effectiveSetting, readIclSettings, type IclSettingKey, type Inspected } from '../../../src/extension/icl/settings';

describe('extension/icl: the ICL settings under Workspace Trust', () => {
  it('every combination of default, user, workspace and folder values, trusted and not', () => {
    const levels = ['globalValue', 'workspaceValue', 'workspaceFolderValue'] as const;
    for (let mask = 0; mask < 8; mask++) {
      const inspected: Inspected = { defaultValue: 'default' };
      levels.forEach((level, i) => mask & (1 << i) && (inspected[level] = level));
      const workspace = inspected.workspaceFolderValue ?? inspected.workspaceValue;
      const trusted = effectiveSetting(inspected, true);
      assert.deepStrictEqual(trusted, { value: workspace ?? inspected.globalValue ?? 'default', from: workspace ? 'workspace' : inspected.globalValue ? 'user' : 'default', ignored: false }, `trusted, mask ${mask}`);
      const untrusted = effectiveSetting(inspected, false);
      assert.deepStrictEqual(untrusted, { value: inspected.globalValue ?? 'default', from: inspected.globalValue ? 'user' : 'default', ignored: workspace !== undefined }, `untrusted, mask ${mask}`);
    }
  });

  const inspect = (values: Partial<Record<IclSettingKey, Inspected>>) => (key: IclSettingKey) => values[key] ?? { defaultValue: key === 'provider' ? 'local' : '' };

  it('an untrusted workspace\'s endpoint, provider and model are not used; the user\'s are, and the note names what was ignored', () => {
    const settings = inspect({
      provider: { defaultValue: 'local', globalValue: 'openai', workspaceValue: 'openai-chat' },
      endpoint: { defaultValue: '', globalValue: 'http://127.0.0.1:8080/v1/', workspaceValue: 'http://10.0.0.5:9000/v1' },
      model: { defaultValue: '', workspaceValue: 'their-model' },
    });
    const untrusted = readIclSettings(settings, false);
    assert.deepStrictEqual(untrusted.endpoint, { url: 'http://127.0.0.1:8080/v1', from: 'user' });
    assert.strictEqual(untrusted.provider, 'openai');
    assert.strictEqual(untrusted.model, undefined);
    assert.deepStrictEqual(untrusted.notes, ["This workspace's modelLens.icl.provider, modelLens.icl.endpoint, modelLens.icl.model are not used: the workspace is not trusted, so only your user settings count."]);
    const trusted = readIclSettings(settings, true);
    assert.deepStrictEqual(trusted.endpoint, { url: 'http://10.0.0.5:9000/v1', from: 'workspace' });
    assert.strictEqual(trusted.provider, 'openai-chat');
    assert.strictEqual(trusted.model, 'their-model');
    assert.deepStrictEqual(trusted.notes, []);
  });

  it('only a workspace endpoint, untrusted: no endpoint at all', () => {
    const s = readIclSettings(inspect({ endpoint: { defaultValue: '', workspaceFolderValue: 'http://10.0.0.5:9000/v1' } }), false);
    assert.strictEqual(s.endpoint, undefined);
    assert.match(s.notes[0], /modelLens\.icl\.endpoint is not used/);
  });

  it('a malformed endpoint or provider: a note, and the default provider', () => {
    const s = readIclSettings(inspect({ endpoint: { globalValue: 'localhost:8080' }, provider: { globalValue: 'anthropic' }, localModel: { globalValue: ' tiny-decoder/model.json ' } }), true);
    assert.strictEqual(s.endpoint, undefined);
    assert.strictEqual(s.provider, 'local');
    assert.strictEqual(s.localModel, 'tiny-decoder/model.json');
    assert.deepStrictEqual(s.notes, ['modelLens.icl.endpoint must be an http(s) base URL such as http://127.0.0.1:8080/v1; it is "localhost:8080".']);
  });
});
