/** Mocha root setup for unit tests: silence tfjs's "install the node backend" banner. */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
