import {
  describeFatigue,
  type Fatigue,
  fatigueOf,
  formatMinuteOfDay,
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
  };
}

/** The customer's fatigue (score, level, inputs) and most likely open hour at `now`. */
export function engagementView(profile: Profile, now: number): EngagementView {
  const { probabilities, opens } = openHourPosterior(profile, now);
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
    },
  };
}

/**
 * Two lines for `tailor explain`: `fatigue   tired (score 0.50: 6 of the last 12 unopened in a row, …)` and
 * `best hour 19:00 Europe/Paris (from 7 opens; 21 % of opens)`.
 */
export function engagementLines(view: EngagementView): string[] {
  const { fatigue, bestHour } = view;
  return [
    `fatigue    ${fatigue.level} (${describeFatigue(fatigue)})`,
    `best hour  ${formatMinuteOfDay(bestHour.hour * 60)} ${bestHour.timeZone} (${openHoursBasis(bestHour.opens)}; ${Math.round(bestHour.probability * 100)} % of opens)`,
  ];
}
