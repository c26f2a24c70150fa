/** Placeholder until the kernel set lands: the only side-effect file for wasm kernels. */
export function registerWasmKernels(): void {}
