/**
 * Guessing a selected prompt's template: for prompts built from specs with the method's own prompt
 * builder (two lines per demonstration, blank lines between them, one line with an arrow; ending
 * at the query's label prefix or with a complete demonstration), the first guess that parses the
 * whole prompt gives back the spec's demonstrations and query; text that shows no label prefix
 * gives no guess. And the input box's escaping of newlines.
 */
import * as assert from 'assert';
import type { IclSpec } from '../../../src/protocol/icl';
import { parsePrompt } from '../../../src/shared/icl/parsePrompt';
import { buildPrompt } from '../../../src/shared/icl/prompt';
import { SpecError } from '../../../src/shared/icl/spec';
import { escapeTemplate, templateCandidates, unescapeTemplate } from '../../../src/shared/icl/templateGuess';

const spec = (template: string): IclSpec => ({
  template,
  labels: ['negative', 'positive'],
  demonstrations: [
    { input: 'a superb film', label: 'positive' },
    { input: 'dull and slow: avoid', label: 'negative' },
    { input: 'lovely music', label: 'positive' },
  ],
  queries: [{ input: 'the plot drags', label: 'negative' }],
});

/** The first candidate that parses `text`, and what it parses to. */
function firstParse(text: string): { template: string; parsed: IclSpec } {
  for (const template of templateCandidates(text)) {
    try {
      return { template, parsed: parsePrompt(text, template) };
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
    }
  }
  throw new Error(`no candidate parses ${JSON.stringify(text)}: ${JSON.stringify(templateCandidates(text))}`);
}

describe('shared/icl: guessing a selected prompt\'s template', () => {
  for (const template of ['Review: {input}\nlabel: {label}\n', 'Review: {input}\nSentiment: {label}\n\n', 'Q: {input}\nA: {label}\n', '{input}\nlabel: {label}\n', '{input} => {label}\n']) {
    it(`finds ${JSON.stringify(template)} and reads the prompt back into its spec`, () => {
      const s = spec(template);
      const text = buildPrompt(s, 'original', s.queries[0]).text;
      const { template: found, parsed } = firstParse(text);
      assert.strictEqual(found, template);
      assert.deepStrictEqual(parsed.demonstrations, s.demonstrations);
      assert.deepStrictEqual(parsed.queries, [{ input: 'the plot drags' }]);
    });
  }

  it('a selection that ends with a complete demonstration (and its newline): that demonstration is the query, with its label', () => {
    const s = spec('Review: {input}\nlabel: {label}\n');
    const text = buildPrompt(s, 'original', s.queries[0]).text + ' negative\n';
    const { template, parsed } = firstParse(text);
    assert.strictEqual(template, s.template);
    assert.deepStrictEqual(parsed.queries, [{ input: 'the plot drags', label: 'negative' }]);
    assert.strictEqual(parsed.demonstrations.length, 3);
  });

  it('prose without a label prefix gives no guess', () => {
    assert.deepStrictEqual(templateCandidates('Hello there.\nHow are you today'), []);
  });

  it('escapes newlines, tabs and backslashes for the input box, and back', () => {
    for (const t of ['Review: {input}\nlabel: {label}\n', 'a\\nb\t{input}\\{label}\n\n', '']) assert.strictEqual(unescapeTemplate(escapeTemplate(t)), t);
    assert.strictEqual(escapeTemplate('Q: {input}\nA: {label}\n'), 'Q: {input}\\nA: {label}\\n');
  });
});
