import type { KindResult, RunSetup } from './run';
export async function imageCounterfactuals(_setup: RunSetup): Promise<KindResult> {
  throw new Error('todo');
}
