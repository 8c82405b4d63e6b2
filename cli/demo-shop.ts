import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { SimOptions } from "#shared/sim/index.js";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The simulated shop's "now" falls at this UTC time of day, whatever the hour the demo runs: quiet hours, send
 * times and the last day's activity then come out the same. 17:15 UTC is daytime in Europe and the Americas
 * (most of the simulated customers) and a quarter of an hour away from every whole-hour quiet-hours boundary.
 */
export const SHOP_TIME_OF_DAY_MS = 17 * 3_600_000 + 15 * MINUTE_MS;

/** The file in the data dir recording how far the demo's shop has been simulated. */
export const SHOP_FILE = "demo-shop.json";

const recordSchema = z.object({
  version: z.literal(1),
  seed: z.number().int(),
  customers: z.number().int().nonnegative(),
  /** Epoch ms of the shop's first simulated day. */
  start: z.number().int().nonnegative(),
  /** Every simulated event before this instant (epoch ms) has been put on the stream. */
  until: z.number().int().nonnegative(),
  /** The stack's clock when the run that wrote this record stopped: the next run does not start before it. */
  clockAt: z.number().int().nonnegative(),
});

/** What the data dir knows of the demo's shop. */
export type ShopRecord = z.infer<typeof recordSchema>;

/** The latest instant at or before `wallNow` at which the UTC clock reads {@link SHOP_TIME_OF_DAY_MS}. */
export function shopNow(wallNow: number): number {
  const today = Math.floor(wallNow / DAY_MS) * DAY_MS + SHOP_TIME_OF_DAY_MS;
  return today <= wallNow ? today : today - DAY_MS;
}

/** The shop record of `dataDir`; undefined when there is none (or it cannot be read: it is rewritten). */
export function readShopRecord(dataDir: string): ShopRecord | undefined {
  const file = path.join(dataDir, SHOP_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the shop record of `dataDir`. */
export function writeShopRecord(dataDir: string, record: ShopRecord): void {
  writeFileSync(path.join(dataDir, SHOP_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** What this run does with the shop. */
export type ShopPlan =
  /** A new shop: `sim.days` days ending at the shop's now. */
  | { readonly kind: "new"; readonly sim: SimOptions; readonly from: number; readonly clockStart: number }
  /** The recorded shop, continued: its events from `from` to the shop's now (days since the last run). */
  | {
      readonly kind: "continue";
      readonly sim: SimOptions;
      readonly from: number;
      readonly clockStart: number;
      readonly record: ShopRecord;
    }
  /** The recorded shop is simulated up to the shop's now already: nothing to put. */
  | {
      readonly kind: "up-to-date";
      readonly record: ShopRecord;
      readonly clockStart: number;
      readonly next: number;
    }
  /** The data dir holds profiles this demo did not record: adding to them could count events twice. */
  | { readonly kind: "unrecorded"; readonly profiles: number; readonly clockStart: number };

/**
 * Decides what a `tailor start` on a data dir does: a new shop when the data dir holds nothing; the recorded
 * shop continued over the days since its last run (the same seed, customers and start, so the simulator
 * regenerates the same events with the same message ids and only the new ones are put); nothing when it is up
 * to date, or when the profiles there were not recorded by this demo.
 */
export function planShop(options: {
  readonly record: ShopRecord | undefined;
  /** Profiles already in the data dir. */
  readonly profiles: number;
  readonly wallNow: number;
  readonly requested: { readonly customers: number; readonly days: number; readonly seed: number };
}): ShopPlan {
  const now = shopNow(options.wallNow);
  const { record } = options;
  if (record === undefined) {
    if (options.profiles > 0) return { kind: "unrecorded", profiles: options.profiles, clockStart: now };
    const { customers, days, seed } = options.requested;
    const sim: SimOptions = { customers, days, seed, start: now - days * DAY_MS };
    return { kind: "new", sim, from: sim.start, clockStart: now };
  }
  // The clock never goes back behind the one of the last run (a second run the same day starts where it was).
  const clockStart = Math.max(now, record.clockAt);
  const days = Math.max(0, Math.round((now - record.start) / DAY_MS));
  const end = record.start + days * DAY_MS;
  if (record.until >= end) {
    return { kind: "up-to-date", record, clockStart, next: record.until + DAY_MS };
  }
  const sim: SimOptions = { customers: record.customers, days, seed: record.seed, start: record.start };
  return { kind: "continue", sim, from: record.until, clockStart, record };
}

/** The shop's clock: it reads `at` when made and flows with the system clock; the demo moves it forward. */
export class ShopClock {
  #offset: number;

  constructor(at: number) {
    this.#offset = at - Date.now();
  }

  now(): number {
    return Date.now() + this.#offset;
  }

  /** Moves the clock forward to `at` (never back). */
  advanceTo(at: number): void {
    this.#offset = Math.max(this.#offset, at - Date.now());
  }
}
