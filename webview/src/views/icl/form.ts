/**
 * The ICL form: the language model (the host's providers; "Choose local model…" asks the host),
 * the variants the spec can build (the others disabled, with why), the token saliency the provider
 * allows (gradients need a local model), then the options that apply: flip count with flipped,
 * steps with Integrated Gradients, top log-probabilities, timeout and concurrency for endpoints.
 * Compare sends what the form holds, checked as the host checks it.
 */
import { ICL_SALIENCY, ICL_VARIANTS, type IclSaliency, type IclVariant } from '../../../../src/protocol/icl';
import { checkSectionOptions, type IclAction, type IclPanelOptions } from '../../../../src/protocol/webview';
import { ICL_SALIENCY_NAMES, ICL_VARIANT_DESCRIPTIONS, ICL_VARIANT_NAMES } from '../../../../src/shared/icl/names';
import { button, checkbox, dropdown } from '../../components';
import { h } from '../../dom';
import { post } from '../../messaging';
import { field, formOptions, optionControls, runControls } from '../form';
import { requestRun } from '../section';
import { saveForm, type IclStore } from './store';

const DEFAULT_VARIANTS: IclVariant[] = ['original', 'flipped'];

const act = (action: IclAction) => post({ type: 'iclAction', action });

/** The variants ticked in the form (those the spec can build). */
export function chosenVariants(store: IclStore): IclVariant[] {
  const v = store.values.variants;
  const ticked = typeof v === 'string' ? (v.split(',').filter((x) => ICL_VARIANTS.includes(x as IclVariant)) as IclVariant[]) : DEFAULT_VARIANTS;
  return ICL_VARIANTS.filter((x) => ticked.includes(x) && !store.spec?.unavailable[x]);
}

const isLocal = (store: IclStore) => store.providers[store.selected]?.kind === 'local';

/** The saliency methods the selected provider allows ('' = none). */
function saliencyChoices(store: IclStore): (IclSaliency | '')[] {
  return ['', ...ICL_SALIENCY.filter((m) => isLocal(store) || m === 'occlusion')];
}

/** The option fields that apply now, besides the variants, provider and saliency. */
function shownKeys(store: IclStore): string[] {
  const keys: string[] = [];
  if (chosenVariants(store).includes('flipped')) keys.push('flipCount');
  if (store.values.saliency === 'integrated-gradients') keys.push('steps');
  if (store.providers.length && !isLocal(store)) keys.push('topLogprobs', 'timeout', 'concurrency');
  return keys;
}

export function renderForm(store: IclStore, redraw: () => void): HTMLElement {
  const set = (key: string, value: string | boolean, again = false) => {
    store.values = { ...store.values, [key]: value };
    store.formError = undefined;
    saveForm(store);
    if (again) redraw();
  };
  if (!saliencyChoices(store).includes((store.values.saliency as IclSaliency) ?? '')) store.values = { ...store.values, saliency: '' };
  const provider = store.providers.length
    ? dropdown(
        [...store.providers.map((p, i) => ({ value: String(i), label: p.label })), { value: 'choose', label: 'Choose local model…' }],
        String(store.selected),
        (value) => {
          if (value === 'choose') act('chooseProvider');
          else {
            store.selected = Number(value);
            redraw();
          }
        },
        'Language model',
        'icl-provider',
      )
    : button('Choose local model…', () => act('chooseProvider'), 'secondary', 'icl-provider');
  const chosen = store.providers[store.selected];
  const variants = h(
    'fieldset',
    { class: 'field icl-variants', 'data-testid': 'icl-variants' },
    h('legend', { class: 'field-label' }, 'Variants'),
    h(
      'div',
      { class: 'icl-variant-boxes' },
      ...ICL_VARIANTS.map((v) => {
        const why = store.spec?.unavailable[v];
        const box = checkbox(ICL_VARIANT_NAMES[v], !why && chosenVariants(store).includes(v), (checked) => {
          const now = new Set(chosenVariants(store));
          if (checked) now.add(v);
          else now.delete(v);
          set('variants', ICL_VARIANTS.filter((x) => now.has(x)).join(','), true);
        }, `icl-variant-${v}`);
        box.title = why ?? ICL_VARIANT_DESCRIPTIONS[v];
        if (why) box.setAttribute('disabled', '');
        return box;
      }),
    ),
  );
  const saliency = dropdown(
    saliencyChoices(store).map((m) => ({ value: m, label: m ? ICL_SALIENCY_NAMES[m] : 'None (predictions only)' })),
    (store.values.saliency as string) ?? '',
    (value) => set('saliency', value, true),
    'Token saliency',
    'icl-saliency',
  );
  saliency.title = isLocal(store) ? 'Which prompt tokens moved each predicted label' : 'Endpoints return no gradients: occlusion deletes one word at a time (one more request per word)';
  const options = optionControls({ request: 'icl', method: '', values: store.values, testPrefix: 'icl', keys: shownKeys(store), onChange: (key, value) => set(key, value) });
  const endpoint = chosen && chosen.kind !== 'local';
  return h(
    'div',
    { class: 'explain-form icl-form' },
    h(
      'div',
      { class: 'field icl-provider-field' },
      h('span', { class: 'field-label' }, 'Language model'),
      provider,
      chosen ? h('span', { class: 'muted icl-provider-detail' }, chosen.detail) : null,
    ),
    h('div', { class: 'icl-provider-actions' }, endpoint ? button('Set API Key…', () => act('setApiKey'), 'secondary', 'icl-set-key') : null, button('Settings…', () => act('openSettings'), 'secondary', 'icl-settings')),
    store.notes.length ? h('ul', { class: 'notes icl-notes', 'data-testid': 'icl-notes' }, ...store.notes.map((n) => h('li', { class: 'warning' }, n))) : null,
    variants,
    field('Token saliency', saliency),
    ...options,
    runControls('icl', 'Compare', !!store.running, () => compareClicked(store, redraw), store.formError),
  );
}

/** Compare: the form's options that apply, checked as the host checks them. */
export function compareClicked(store: IclStore, redraw: () => void): void {
  const keys = new Set(shownKeys(store));
  const all = formOptions('icl', '', undefined, store.values);
  const raw: Record<string, unknown> = Object.fromEntries(Object.entries(all).filter(([k]) => keys.has(k) || k === 'saliency'));
  raw.variants = chosenVariants(store);
  const { problem } = checkSectionOptions('icl', raw);
  if (problem || !store.providers[store.selected]) {
    store.formError = problem ?? 'No language model: choose a local model, or set an endpoint in the settings.';
    redraw();
    return;
  }
  requestRun('icl', store.selected, raw as IclPanelOptions);
}
