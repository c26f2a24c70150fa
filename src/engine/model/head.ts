/**
 * The output head a request reads (`output`: a name or an index), and how its values are read
 * (checkpoint/outputKinds.ts): what every method then differentiates or scores is the head's
 * "read" output, whose columns are its classes or units —
 *   softmax, logits   the output as it is (probabilities come from toProbabilities, as always);
 *   sigmoid           one unit p → the two classes [1 − p, p] (σ applied first when the model
 *                     does not end in a sigmoid), so class 0 is p(0) = 1 − σ and class 1 is σ;
 *   multilabel        each unit's p (σ applied first when the model does not end in one);
 *   regression        the values as they are: the target of attribution is the output unit.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadRef, OutputKindName, OutputSpec } from '../../protocol/model';
import type { Checkpoint } from '../checkpoint/load';
import type { HeadView } from '../checkpoint/forward';
import { headSettings } from '../checkpoint/outputKinds';
import { LensError } from '../errors';
import type { OutputKind } from './probabilities';

export interface Head extends HeadRef {
  /** Classes (a sigmoid head: 2) or, for a regression head, units. */
  classes: number;
  labels?: string[];
}

/** The checkpoint reading head `output` (default the first), and that head. */
export function selectHead(checkpoint: Checkpoint, output?: string): { checkpoint: Checkpoint; head: Head } {
  const index = headIndex(checkpoint.outputs, output);
  const spec = checkpoint.outputs[index];
  const units = spec.shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
  const labels = headSettings(checkpoint.sidecar.sidecar, index, spec.name).labels;
  const head: Head = { index, name: spec.name, kind: spec.kind, classes: spec.kind === 'sigmoid' ? 2 : units, ...(labels ? { labels } : {}) };
  const view: HeadView = { index, name: spec.name, ...reader(spec) };
  return { checkpoint: { ...checkpoint, head: view } as Checkpoint, head };
}

/** Index of the head named `output` (or numbered so); the first without one. */
function headIndex(outputs: OutputSpec[], output: string | undefined): number {
  if (output === undefined) return 0;
  const byName = outputs.findIndex((o) => o.name === output || o.name === `${output}:0`);
  if (byName >= 0) return byName;
  const n = Number(output);
  if (/^\d+$/.test(output) && n < outputs.length) return n;
  const list = outputs.map((o, i) => `${i}: ${o.name} [${o.shape.map((d) => d ?? '?').join(', ')}] ${o.kind}`).join('; ');
  throw new LensError('BAD_REQUEST', `The model has no output '${output}'. Its outputs: ${list}.`);
}

function reader(spec: OutputSpec): Pick<HeadView, 'read'> {
  const probabilities = (out: tf.Tensor) => (spec.activation === 'sigmoid' ? out : tf.sigmoid(out));
  const rows = (out: tf.Tensor) => out.reshape([out.shape[0], -1]);
  if (spec.kind === 'sigmoid') {
    return {
      read: (out) => {
        const p = rows(probabilities(out)).slice([0, 0], [-1, 1]);
        return tf.concat([tf.sub(1, p), p], 1);
      },
    };
  }
  if (spec.kind === 'multilabel' && spec.activation !== 'sigmoid') return { read: probabilities };
  return {};
}

/**
 * How the head's read rows become probabilities (toProbabilities): softmax and logits heads as the
 * values on this input decide (a distribution as it is, else softmax), as for every classifier
 * before; the others as they are (σ already applied; regression values stay values).
 */
export function readingOf(head: Pick<HeadRef, 'kind'>, decided: () => OutputKind): OutputKind {
  return isCategorical(head.kind) ? decided() : 'probabilities';
}

function isCategorical(kind: OutputKindName): boolean {
  return kind === 'softmax' || kind === 'logits';
}

/** The label of class `index` of the head: the sidecar's, else the index. */
export function labelOf(head: Head, index: number): string {
  return head.labels?.[index] ?? String(index);
}

export function headRef(head: Head): HeadRef {
  return { index: head.index, name: head.name, kind: head.kind };
}
