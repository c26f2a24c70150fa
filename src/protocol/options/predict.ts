/** The `info` and `predict` requests' options (see field.ts). */
import { z } from 'zod';
import { option, type FieldTable } from './field';

const path = z.string().min(1).max(4096);

export const INFO_FIELDS = {
  modelPath: option({ schema: path, type: 'path', label: 'Model', description: 'the model.json to load', required: true }),
} satisfies FieldTable;

/** The head a request reads, by name or index (`model-lens info` lists them); every request that reads the output takes it. */
export const outputOption = option({
  schema: z.string().min(1).max(1024).regex(/^[^\p{Cc}]+$/u),
  type: 'output',
  label: 'Output',
  description: 'the output head, by name or index (see info)',
  defaultText: 'the first output',
});

export const PREDICT_FIELDS = {
  ...INFO_FIELDS,
  inputPath: option({ schema: path, type: 'path', label: 'Input', description: 'an image, CSV rows, text or tensor JSON', flag: 'input', required: true }),
  output: outputOption,
  top: option({ schema: z.int().min(1).max(1000), default: 5, type: 'integer', label: 'Top', description: 'classes to show per row' }),
} satisfies FieldTable;
