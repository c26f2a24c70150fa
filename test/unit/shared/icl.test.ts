/**
 * ICL prompt specs and prompts, against hand-written text: the exact prompt of every variant, the
 * parts of its characters, flips (cyclic, first k only), spec errors naming the field, and parsing
 * a selected prompt back into the spec that builds it.
 */
import * as assert from 'assert';
import type { IclSpec } from '../../../src/protocol/icl';
import { parsePrompt } from '../../../src/shared/icl/parsePrompt';
import { buildPrompt, flipLabel, promptWords, segmentAt, variantDemonstrations, withoutWord } from '../../../src/shared/icl/prompt';
import { checkVariants, parseSpec, SpecError } from '../../../src/shared/icl/spec';

const SPEC: IclSpec = {
  template: 'Review: {input}\nlabel: {label}\n',
  labels: ['negative', 'positive'],
  demonstrations: [
    { input: 'a superb film', label: 'positive', neutral: 'a long film', explanation: 'superb is praise' },
    { input: 'dull and slow', label: 'negative', neutral: 'long and slow', explanation: 'dull is a complaint' },
  ],
  queries: [{ input: 'lovely music', label: 'positive' }],
};
const QUERY = SPEC.queries[0];

function throwsSpec(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (err: Error) => {
    assert.ok(err instanceof SpecError, String(err));
    if (typeof message === 'string') assert.strictEqual(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('shared/icl: prompt specs and prompts', () => {
  it('original: the demonstrations formatted, then the query cut before {label} without trailing whitespace', () => {
    assert.strictEqual(buildPrompt(SPEC, 'original', QUERY).text, 'Review: a superb film\nlabel: positive\nReview: dull and slow\nlabel: negative\nReview: lovely music\nlabel:');
  });

  it('flipped: every label replaced by the next (swapped for two labels); --flip-count k flips only the first k', () => {
    assert.strictEqual(buildPrompt(SPEC, 'flipped', QUERY).text, 'Review: a superb film\nlabel: negative\nReview: dull and slow\nlabel: positive\nReview: lovely music\nlabel:');
    assert.strictEqual(buildPrompt(SPEC, 'flipped', QUERY, 1).text, 'Review: a superb film\nlabel: negative\nReview: dull and slow\nlabel: negative\nReview: lovely music\nlabel:');
    assert.deepStrictEqual(variantDemonstrations(SPEC, 'flipped', 1).map((d) => d.changed), [['label'], []]);
    // Cyclic with three labels.
    const three = ['bad', 'okay', 'good'];
    assert.deepStrictEqual(three.map((l) => flipLabel(three, l)), ['okay', 'good', 'bad']);
  });

  it('neutral: each neutral text replaces its input; explained: explanationTemplate after each demonstration', () => {
    assert.strictEqual(buildPrompt(SPEC, 'neutral', QUERY).text, 'Review: a long film\nlabel: positive\nReview: long and slow\nlabel: negative\nReview: lovely music\nlabel:');
    assert.strictEqual(
      buildPrompt(SPEC, 'explained', QUERY).text,
      'Review: a superb film\nlabel: positive\nExplanation: superb is praise\nReview: dull and slow\nlabel: negative\nExplanation: dull is a complaint\nReview: lovely music\nlabel:',
    );
    const custom = { ...SPEC, explanationTemplate: '({explanation})\n' };
    assert.ok(buildPrompt(custom, 'explained', QUERY).text.startsWith('Review: a superb film\nlabel: positive\n(superb is praise)\nReview: dull'));
  });

  it('every character has its part and demonstration; a token belongs to the segment of its first non-space character', () => {
    const prompt = buildPrompt(SPEC, 'explained', QUERY);
    const partOf = (text: string, from = 0) => {
      const start = prompt.text.indexOf(text, from);
      const s = segmentAt(prompt, start, start + text.length);
      return [s.part, s.demo];
    };
    assert.deepStrictEqual(partOf('Review:'), ['template', 0]);
    assert.deepStrictEqual(partOf(' superb'), ['demo-input', 0]);
    assert.deepStrictEqual(partOf(' positive'), ['demo-label', 0]);
    assert.deepStrictEqual(partOf('praise'), ['demo-explanation', 0]);
    assert.deepStrictEqual(partOf(' negative'), ['demo-label', 1]);
    assert.deepStrictEqual(partOf('lovely'), ['query', undefined]);
    assert.deepStrictEqual(partOf('label:', prompt.text.indexOf('lovely')), ['template', undefined]);
    // Segments tile the prompt exactly.
    let at = 0;
    for (const s of prompt.segments) {
      assert.strictEqual(s.start, at);
      at = s.end;
    }
    assert.strictEqual(at, prompt.text.length);
  });

  it('the cut template loses its trailing whitespace, the query input inside it keeps its own', () => {
    const spec: IclSpec = { ...SPEC, template: 'Q: {input} => {label}\n\n' };
    assert.strictEqual(buildPrompt(spec, 'original', { input: 'nice  ' }).text, 'Q: a superb film => positive\n\nQ: dull and slow => negative\n\nQ: nice   =>');
  });

  it('spec errors name the field: missing, unknown, wrong type, labels not in labels, what a variant needs', () => {
    const text = (o: object) => JSON.stringify(o);
    throwsSpec(() => parseSpec('{"template": ', 's.icl.json'), /^s\.icl\.json is not valid JSON \(/);
    throwsSpec(() => parseSpec(text({ ...SPEC, demonstrations: [{ input: 'x' }] }), 's.icl.json'), "s.icl.json: demonstrations[0]: missing field 'label'.");
    const { labels: _labels, ...noLabels } = SPEC;
    throwsSpec(() => parseSpec(text(noLabels), 's.icl.json'), "s.icl.json: the spec: missing field 'labels'.");
    throwsSpec(() => parseSpec(text({ ...SPEC, queries: [{ input: 'x', lable: 'positive' }] }), 's.icl.json'), "s.icl.json: queries[0]: unknown field 'lable'.");
    throwsSpec(() => parseSpec(text({ ...SPEC, template: 'Review: {input}\n' }), 's.icl.json'), 's.icl.json: template: must contain {input} and, after it, {label}.');
    throwsSpec(() => parseSpec(text({ ...SPEC, labels: ['positive'] }), 's.icl.json'), /^s\.icl\.json: labels: Too small/);
    throwsSpec(() => parseSpec(text({ ...SPEC, demonstrations: [{ input: 'x', label: 'pos' }] }), 's.icl.json'), "s.icl.json: demonstrations[0].label 'pos' is not one of labels (negative, positive).");
    const bare = parseSpec(text({ ...SPEC, demonstrations: [SPEC.demonstrations[0], { input: 'x', label: 'negative' }] }), 's.icl.json');
    throwsSpec(() => checkVariants(bare, ['original', 'neutral'], 's.icl.json'), "s.icl.json: demonstrations[1] has no 'neutral': the neutral variant needs one in every demonstration.");
    throwsSpec(() => checkVariants(bare, ['explained'], 's.icl.json'), "s.icl.json: demonstrations[1] has no 'explanation': the explained variant needs one in every demonstration.");
    throwsSpec(() => checkVariants(bare, ['flipped'], 's.icl.json', 3), "flipCount 3 is more than the spec's 2 demonstrations.");
    throwsSpec(() => checkVariants(bare, ['original'], 's.icl.json', 1), 'flipCount applies to the flipped variant, which is not among the variants.');
  });

  it('a selected prompt parses back into the spec that builds it, for every query', () => {
    const prompt = buildPrompt(SPEC, 'original', QUERY).text;
    const spec = parsePrompt(prompt, SPEC.template);
    assert.deepStrictEqual(spec, {
      template: SPEC.template,
      labels: ['positive', 'negative'],
      demonstrations: [{ input: 'a superb film', label: 'positive' }, { input: 'dull and slow', label: 'negative' }],
      queries: [{ input: 'lovely music' }],
    });
    assert.strictEqual(buildPrompt(spec, 'original', spec.queries[0]).text, prompt);
    // Labels given: their order is kept (it decides the flips).
    assert.deepStrictEqual(parsePrompt(prompt, SPEC.template, { labels: ['negative', 'positive'] }).labels, ['negative', 'positive']);
  });

  it('parses hand-written selections: multi-line inputs, explanations, a last demonstration as the labelled query', () => {
    const selected = '  Review: first line\nsecond line\nlabel: positive\nExplanation: two lines\nReview: bad\nlabel: negative\nExplanation: bad is bad\nReview: so-so\nlabel: positive\n';
    const spec = parsePrompt(selected, SPEC.template, { explanationTemplate: 'Explanation: {explanation}\n' });
    assert.deepStrictEqual(spec.demonstrations, [
      { input: 'first line\nsecond line', label: 'positive', explanation: 'two lines' },
      { input: 'bad', label: 'negative', explanation: 'bad is bad' },
    ]);
    assert.deepStrictEqual(spec.queries, [{ input: 'so-so', label: 'positive' }]);
    const arrow = parsePrompt('great => yes\nawful => no\nfine =>', '{input} => {label}\n');
    assert.deepStrictEqual([arrow.demonstrations.map((d) => [d.input, d.label]), arrow.queries], [[['great', 'yes'], ['awful', 'no']], [{ input: 'fine' }]]);
  });

  it('a selection that does not follow the template is one clear error', () => {
    throwsSpec(() => parsePrompt('Hello there', SPEC.template), /^The selected text does not start with a demonstration formatted as "Review: \{input\}\\nlabel: \{label\}\\n"\.$/);
    throwsSpec(() => parsePrompt('Review: a\nlabel: x\nReview: b\nlabel: x\nReview: c\nlabel:', SPEC.template), "The selected prompt uses only the label 'x': name the labels.");
    throwsSpec(() => parsePrompt('Review: a\nlabel: x\nnoise', SPEC.template), /stops following the template after 1 demonstration formatted/);
    throwsSpec(() => parsePrompt('x', 'Review: {input}'), 'The template must contain {input} and, after it, {label}.');
  });

  it('words and their deletion: a word goes with the spaces before it, or after it at a line start', () => {
    assert.deepStrictEqual(promptWords(' a  bc\nd'), [{ text: 'a', start: 1, end: 2 }, { text: 'bc', start: 4, end: 6 }, { text: 'd', start: 7, end: 8 }]);
    const text = 'Review: great  movie\nlabel: positive';
    assert.strictEqual(withoutWord(text, 8, 13), 'Review:  movie\nlabel: positive');
    assert.strictEqual(withoutWord(text, 15, 20), 'Review: great\nlabel: positive');
    assert.strictEqual(withoutWord(text, 0, 7), 'great  movie\nlabel: positive');
    assert.strictEqual(withoutWord(text, 28, 36), 'Review: great  movie\nlabel:');
  });
});
