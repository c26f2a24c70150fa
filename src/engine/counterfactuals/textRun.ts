import type { KindResult, RunSetup } from './run';
export async function textCounterfactuals(_setup: RunSetup): Promise<KindResult> {
  throw new Error('todo');
}
