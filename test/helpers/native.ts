/** Whether the optional native backend (@tensorflow/tfjs-node) is installed here; tests of its absence skip where it is. */
export function nativeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
