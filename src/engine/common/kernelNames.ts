/**
 * Names of Model Lens's own kernels that code above the backend calls where the active backend
 * registers them (backend/wasmKernels registers them for wasm), falling back to tf ops elsewhere.
 */

/**
 * dy · act'(pre-activation) read off the activation's output y, in one pass: inputs { dy, y }, attrs
 * { activation: 'relu' | 'relu6' }; the same values as dy · step(y) and dy · step(y · (6 − y)).
 */
export const ACTIVATION_MASK = 'ModelLensActivationMask';
