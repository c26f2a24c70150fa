/** Mocha root setup for unit tests. */
import * as tf from '@tensorflow/tfjs';
import { removeTempDirs } from '../helpers/tempDir';

// Silence tfjs's "install the node backend" banner: the tests choose their backends.
tf.env().set('PROD', true);

export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
