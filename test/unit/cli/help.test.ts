import * as assert from 'assert';
import { cli, requireBuiltCli } from '../../helpers/cli';
import { defaultLabel, flagFields, flagOf } from '../../../src/cli/options';

/** The help text with every run of whitespace (line wraps included) as one space. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('cli --help (generated from the option schemas)', () => {
  let help: string;
  before(function () {
    requireBuiltCli();
    const { code, stdout, stderr } = cli('--help');
    assert.strictEqual(code, 0, stderr);
    help = stdout;
  });

  const titles = { saliency: 'Saliency options:', influence: 'Influence options:', icl: 'ICL options:', counterfactual: 'Counterfactual options:' } as const;
  for (const request of ['saliency', 'influence', 'icl', 'counterfactual'] as const) {
    it(`lists every ${request} option with its description, methods and default`, () => {
      const title = titles[request];
      const start = help.indexOf(title);
      const next = Object.values(titles).map((t) => help.indexOf(t)).filter((i) => i > start);
      const section = help.slice(start, next.length ? Math.min(...next) : undefined);
      // One entry per option: its line and the wrapped lines under it.
      const entries = section.split(/\n(?= {2}-)/).map(flat);
      for (const spec of flagFields(request)) {
        if (request !== 'influence' && spec.key === 'inputPath') continue; // under Options: --input
        const flag = `--${flagOf(spec)}`;
        const entry = entries.find((e) => e.startsWith(` ${flag} `));
        assert.ok(entry, `${flag} is missing from ${title}`);
        assert.ok(entry.includes(flat(spec.description)), `${flag}: its description`);
        if (spec.methods) assert.ok(entry.includes(`${spec.methods.join(', ')}: `), `${flag}: the methods it applies to`);
        // The CLI's gradient cache has a folder by default where the engine has none.
        const shown = spec.key === 'cacheDir' ? '$XDG_CACHE_HOME/model-lens' : defaultLabel(spec);
        if (shown !== undefined) assert.ok(entry.includes(`(default: ${flat(shown)}`), `${flag}: its default (${shown})`);
      }
    });
  }

  it('shows the schema defaults that used to be restated by hand', () => {
    const text = flat(help);
    for (const expected of ['--steps <n> integrated-gradients: interpolation steps (default: 64)', '--samples <n> smoothgrad: noisy samples (default: 25)', '(default: 0.15)', '--top <n> proponents and opponents to show (self: suspects) (default: 10)', '(default: 0.01)']) {
      assert.ok(text.includes(expected), expected);
    }
    for (const cliOnly of ['--json', '--backend <name>', '--out <dir>', '--repeat <n>', '--no-cache', '--previews', '--lr <η[,η…]>', '--api-key-env <name>']) assert.ok(text.includes(cliOnly), cliOnly);
  });
});
