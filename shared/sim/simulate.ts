import { buildCatalog } from "./catalog.js";
import { buildCustomers } from "./customers.js";
import { DeviceRegistry } from "./devices.js";
import { ProductPicker } from "./product-picker.js";
import type { SimOptions, SimRecord } from "./records.js";
import { DAY_MS, type Shop, simulateDay } from "./shop-day.js";
import { shopperState } from "./shopper.js";
import { SimOptionsError } from "./sim-options-error.js";
import { Timeline } from "./timeline.js";

/** New sign-ups per day, as a share of the starting customers. */
export const NEW_CUSTOMERS_PER_DAY_RATE = 0.004;
const MAX_CUSTOMERS = 10_000_000;
const MAX_DAYS = 3_650;
/** The latest instant a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** Checks `opts` and returns a plain copy; throws {@link SimOptionsError} naming the bad field. */
export function validateSimOptions(opts: SimOptions): SimOptions {
  const { customers, days, seed, start } = opts;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_CUSTOMERS) {
    throw new SimOptionsError(`customers: expected an integer in [0, ${MAX_CUSTOMERS}] (got ${customers})`);
  }
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    throw new SimOptionsError(`days: expected an integer in [0, ${MAX_DAYS}] (got ${days})`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new SimOptionsError(`seed: expected a safe integer (got ${seed})`);
  }
  if (!Number.isSafeInteger(start) || start < 0 || start + days * DAY_MS > MAX_DATE_MS) {
    throw new SimOptionsError(`start: expected epoch milliseconds, a non-negative integer (got ${start})`);
  }
  return { customers, days, seed, start };
}

function openShop(opts: SimOptions): Shop {
  const shoppers = buildCustomers(opts.seed, opts.customers, opts.start).map((customer) => ({
    customer,
    state: shopperState({
      signedUp: true,
      anonymousId: undefined,
      consent: customer.marketingConsent,
      busyUntil: opts.start,
    }),
  }));
  return {
    seed: opts.seed,
    start: opts.start,
    picker: new ProductPicker(buildCatalog(opts.seed)),
    shoppers,
    newPerDay: opts.customers * NEW_CUSTOMERS_PER_DAY_RATE,
    devices: new DeviceRegistry(),
    signUps: new Map(),
  };
}

function* run(opts: SimOptions): Generator<SimRecord> {
  const shop = openShop(opts);
  const end = opts.start + opts.days * DAY_MS;
  let pending: SimRecord[] = [];
  let sequence = 0;
  for (let day = 0; day < opts.days; day++) {
    const dayEnd = opts.start + (day + 1) * DAY_MS;
    const timeline = new Timeline(dayEnd, end);
    simulateDay(shop, day, timeline);
    const due = pending.filter((r) => r.at < dayEnd);
    pending = pending.filter((r) => r.at >= dayEnd).concat(timeline.later);
    // Array sort is stable, so events at the same millisecond keep their generation order.
    const records = due.concat(timeline.today).sort((a, b) => a.at - b.at);
    for (const record of records) {
      record.event.messageId = `sim-${opts.seed}-${sequence++}`;
      yield record;
    }
  }
}

/**
 * Deterministic, time-ordered stream of raw Segment events, generated lazily day by day.
 *
 * Only one simulated day (plus the few events already scheduled for later days, such as refunds) is held in
 * memory at a time. The same options give a byte-identical stream; `messageId` is `sim-<seed>-<n>`. Events
 * cover exactly [start, start + days × 24 h). Throws {@link SimOptionsError} at once on invalid options.
 */
export function simulate(opts: SimOptions): Generator<SimRecord> {
  return run(validateSimOptions(opts));
}
