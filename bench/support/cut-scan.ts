import type { ProfileScan } from "#shared/ports.js";

/**
 * A scan that stops reading once `performance.now()` passes `deadline()`, as a Lambda invocation is cut at its
 * timeout: the one-invocation baselines of the scale benchmark. `cut()` says whether it stopped early.
 */
export function cutScan(
  scan: ProfileScan,
  deadline: () => number,
): { readonly scan: ProfileScan; readonly cut: () => boolean } {
  let cut = false;
  return {
    scan: {
      async *scan(slice) {
        for await (const stored of scan.scan(slice)) {
          if (performance.now() > deadline()) {
            cut = true;
            return;
          }
          yield stored;
        }
      },
    },
    cut: () => cut,
  };
}
