/** An engine for a mocha suite: started on one core on `backend` before its tests, disposed after. */
import { Engine } from '../../src/engine/engine';
import type { BackendName } from '../../src/protocol/model';

/** Call in a describe(); the returned function gives the suite's engine inside its tests. */
export function suiteEngine(backend: BackendName): () => Engine {
  let engine: Engine | undefined;
  before(async () => {
    engine = new Engine(() => {}, { helper: false });
    await engine.useBackend(backend);
  });
  after(() => engine?.dispose());
  return () => engine!;
}
