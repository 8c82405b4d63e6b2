import type { TailorEvent } from "#shared/domain/events/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { DAY_MS, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { type RfmThresholds, rfmSample, rfmThresholds } from "#shared/domain/segments/index.js";
import { simulate } from "#shared/sim/index.js";

/** One simulated customer: their raw (validated) events and the profile folded from them day by day. */
export interface SimCustomer {
  readonly customerId: string;
  readonly events: readonly TailorEvent[];
  readonly profile: Profile;
}

/** Simulated traffic folded into profiles, with the population's RFM thresholds at the end. */
export interface SimPopulation {
  readonly customers: readonly SimCustomer[];
  /** End of the simulated time (epoch ms): the last fold's `now`. */
  readonly end: number;
  readonly thresholds: RfmThresholds;
}

/**
 * Runs the simulator and folds its events with the real `foldEvents`, one batch per customer per simulated day
 * (each fold at the day's end), as the ingest would over a day of stream batches.
 */
export function simulatePopulation(opts: {
  customers: number;
  days: number;
  seed: number;
  start: number;
}): SimPopulation {
  const end = opts.start + opts.days * DAY_MS;
  const byDay = new Map<number, Map<string, TailorEvent[]>>();
  const all = new Map<string, TailorEvent[]>();
  for (const { event, at } of simulate(opts)) {
    const parsed = parseEvent(event, end);
    if (!parsed.ok) continue;
    const day = Math.floor((at - opts.start) / DAY_MS);
    const batches = byDay.get(day) ?? new Map<string, TailorEvent[]>();
    byDay.set(day, batches);
    const id = parsed.event.customerId;
    const batch = batches.get(id) ?? [];
    batch.push(parsed.event);
    batches.set(id, batch);
    const events = all.get(id) ?? [];
    events.push(parsed.event);
    all.set(id, events);
  }
  const profiles = new Map<string, Profile>();
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const dayEnd = opts.start + (day + 1) * DAY_MS;
    for (const [id, events] of byDay.get(day) ?? []) {
      profiles.set(id, foldEvents(profiles.get(id), id, events, dayEnd).profile);
    }
  }
  const customers = [...profiles].map(([customerId, profile]) => ({
    customerId,
    profile,
    events: all.get(customerId) ?? [],
  }));
  const thresholds = rfmThresholds(
    customers.flatMap(({ profile }) => rfmSample(profile, end) ?? []),
    end,
  );
  return { customers, end, thresholds };
}
