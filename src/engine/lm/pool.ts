/**
 * At most `concurrency` calls in flight. No new call starts once the signal fires or a call has
 * failed; the first failure is thrown after the calls in flight have settled, so nothing runs on
 * after the caller has its answer.
 */
export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, signal: AbortSignal, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure && !signal.aborted) {
      const index = next++;
      try {
        results[index] = await work(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
  signal.throwIfAborted();
  return results;
}
