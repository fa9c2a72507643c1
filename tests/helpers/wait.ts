/** Resolves with the first value `subscribe` delivers that passes `test`; rejects after `ms`. */
export function waitFor<T>(
  subscribe: (deliver: (value: T) => void) => () => void,
  test: (value: T) => boolean = () => true,
  ms = 10_000,
  what = 'event',
): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe: () => void = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    unsubscribe = subscribe((value) => {
      if (!test(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/** Polls `check` until it returns a value other than undefined; for state with no event to await. */
export async function until<T>(
  check: () => Promise<T | undefined>,
  ms = 15_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
