import {
  chooseOpenHourPrior,
  describeFatigue,
  describeOpenHourPrior,
  type Fatigue,
  fatigueOf,
  formatMinuteOfDay,
  type OpenHourPriorChoice,
  openHourPosterior,
  openHoursBasis,
} from "#shared/domain/campaigns/index.js";
import { openHoursZone, type Profile } from "#shared/domain/profile/index.js";

/** What `tailor explain --json` shows of a customer's fatigue and best send hour. */
export interface EngagementView {
  readonly fatigue: Fatigue;
  readonly bestHour: {
    readonly hour: number;
    readonly timeZone: string;
    /** Opens the customer's own histogram holds (decayed); below 1 the population prior decides. */
    readonly opens: number;
    readonly probability: number;
    /** Which population prior the posterior used: the learned one, or the default (`priorBasis` says why). */
    readonly prior: OpenHourPriorChoice["source"];
    /** The prior in words: `learned prior (1,234 opens of 310 customers, 2026-12-06)`. */
    readonly priorBasis: string;
  };
}

/**
 * The customer's fatigue (score, level, inputs) and most likely open hour at `now`, over `prior` (the stored
 * learned prior as dispatch would choose it). @param prior @default the default prior
 */
export function engagementView(
  profile: Profile,
  now: number,
  prior: OpenHourPriorChoice = chooseOpenHourPrior(undefined),
): EngagementView {
  const { probabilities, opens } = openHourPosterior(profile, now, prior.prior);
  let hour = 0;
  probabilities.forEach((p, h) => {
    if (p > (probabilities[hour] ?? 0)) hour = h;
  });
  return {
    fatigue: fatigueOf(profile),
    bestHour: {
      hour,
      timeZone: openHoursZone(profile),
      opens: Math.round(opens * 100) / 100,
      probability: Math.round((probabilities[hour] ?? 0) * 1000) / 1000,
      prior: prior.source,
      priorBasis: describeOpenHourPrior(prior),
    },
  };
}

/**
 * Three lines for `tailor explain`: `fatigue   tired (score 0.50: 6 of the last 12 unopened in a row, …)`,
 * `best hour 19:00 Europe/Paris (from 7 opens; 21 % of opens)` and `prior     learned prior (1,234 opens …)`.
 */
export function engagementLines(view: EngagementView): string[] {
  const { fatigue, bestHour } = view;
  return [
    `fatigue    ${fatigue.level} (${describeFatigue(fatigue)})`,
    `best hour  ${formatMinuteOfDay(bestHour.hour * 60)} ${bestHour.timeZone} (${openHoursBasis(bestHour.opens, bestHour.prior)}; ${Math.round(bestHour.probability * 100)} % of opens)`,
    `prior      ${bestHour.priorBasis}`,
  ];
}
