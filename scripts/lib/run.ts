/** How the example scripts run: the backend they compute on, and failing with exit status 1. */
import * as tf from '@tensorflow/tfjs';

/** The pure-JS cpu backend, with tfjs's debug-mode checks off. */
export async function useCpuBackend(): Promise<void> {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Runs a script's `main`; an error is printed and the process exits with status 1. */
export function runScript(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
