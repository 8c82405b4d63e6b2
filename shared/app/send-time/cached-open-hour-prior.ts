import {
  chooseOpenHourPrior,
  type LearnedOpenHourPrior,
  type OpenHourPriorChoice,
} from "../../domain/campaigns/open-hour-prior.js";
import { DEFAULT_OPEN_HOUR_PRIOR } from "../../domain/campaigns/send-time.js";
import type { Clock, OpenHourPriorStore } from "../../ports.js";
import { BoundedAgeCache } from "../bounded-age-cache.js";

/** How long a container keeps the learned prior before reading it again: it changes once a night. */
export const OPEN_HOUR_PRIOR_CACHE_MS = 10 * 60_000;

/**
 * The learned open-hour prior read through a {@link BoundedAgeCache}: at most one read per `maxAgeMs` per
 * container (10 minutes by default), so a new night's prior reaches warm containers within that time.
 */
export class CachedOpenHourPrior implements Pick<OpenHourPriorStore, "get"> {
  readonly #cache: BoundedAgeCache<LearnedOpenHourPrior | undefined>;

  constructor(options: {
    readonly store: Pick<OpenHourPriorStore, "get">;
    readonly clock: Clock;
    readonly maxAgeMs?: number;
  }) {
    const { store } = options;
    this.#cache = new BoundedAgeCache({
      load: () => store.get(),
      maxAgeMs: options.maxAgeMs ?? OPEN_HOUR_PRIOR_CACHE_MS,
      clock: options.clock,
    });
  }

  get(): Promise<LearnedOpenHourPrior | undefined> {
    return this.#cache.get();
  }
}

/**
 * The prior a best-time decision uses: the learned one when it rests on enough opens, else the default. A store
 * that cannot be read gives the default too, saying so: the send is not held up for a prior.
 */
export async function openHourPriorOf(
  store: Pick<OpenHourPriorStore, "get"> | undefined,
): Promise<OpenHourPriorChoice> {
  if (store === undefined) return chooseOpenHourPrior(undefined);
  try {
    return chooseOpenHourPrior(await store.get());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { source: "default", prior: DEFAULT_OPEN_HOUR_PRIOR, why: `learned prior unreadable: ${reason}` };
  }
}
