import type { Clock, FanOutRun, FanOutRunKey, FanOutRuns } from "#shared/ports.js";
import { ScheduleFanOutError } from "./scheduled-journeys.js";

/**
 * Finishes a fan-out run once every part is done: marks it finished and resolves its record, the parts'
 * counts summed (what `tailor campaign status` shows).
 */
export async function finishFanOut(
  deps: { readonly runs: FanOutRuns; readonly clock: Clock },
  key: FanOutRunKey,
): Promise<FanOutRun> {
  await deps.runs.finish(key, deps.clock.now());
  const run = await deps.runs.get(key);
  if (run === undefined) {
    throw new ScheduleFanOutError(`no fan-out run of ${key.campaignId} at ${key.occurrence}`, {
      retryable: false,
    });
  }
  return run;
}
