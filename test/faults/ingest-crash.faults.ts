import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Profile } from "#shared/domain/profile/index.js";
import {
  CrashRun,
  describeOutcomes,
  deterministicPart,
  oracle,
  postMortem,
  split,
  WELCOME,
  type WelcomeOutcomes,
  welcomeOutcomes,
} from "./support/crash-run.js";
import { EXPERIMENT_CAMPAIGN, type ShopEvent, shopEvents } from "./support/shop-events.js";
import { until } from "./support/stack-readers.js";

/**
 * Three kill -9 of the whole local stack, each while a batch is being ingested (the first profile write of the
 * batch seen, the rest of it not yet), a restart on the same data dir after each, then a full replay of every
 * event (the same message ids put on the stream again). Whatever the kill moments, once the stack drained:
 * (a) every profile is the fold of its customer's events, nothing lost or counted twice;
 * (b) the experiment counters hold exactly what those folds imply;
 * (c) no customer got the once-per-customer welcome twice, and none is lost (a missing one has a pending claim).
 */

const CUSTOMERS = 40;
const events: ShopEvent[] = shopEvents({
  prefix: "ki",
  customers: CUSTOMERS,
  seed: 13,
  start: Date.now() - 3_600_000,
});
const customerIds = [...new Set(events.map((event) => event.customerId))];
const run = new CrashRun();
let stored = new Map<string, Profile>();
let counts: Record<string, number> = {};
let welcome: WelcomeOutcomes | undefined;
let welcomeSent = 0;
/** The known issue's test runs only when asked: it fails whenever a kill falls in its window. */
const KNOWN_ISSUES = process.env.FAULTS_KNOWN_ISSUES === "1";

/** Puts `chunk`, waits for the first profile write it causes, and kills the stack then. */
async function putAndKillMidBatch(chunk: readonly ShopEvent[], label: string): Promise<void> {
  const readers = await run.start();
  const before = await readers.profileWrites();
  await readers.put(chunk);
  const seen = await until(async () => (await readers.profileWrites()) > before, {
    timeoutMs: 30_000,
    everyMs: 10,
  });
  const after = await readers.profileWrites().catch(() => Number.NaN);
  await run.kill(
    `${label}: ${seen ? `after ${after - before} of the batch's version bumps` : "(no write seen)"}`,
  );
}

beforeAll(async () => {
  for (const [index, chunk] of split(events, 3).entries()) {
    await putAndKillMidBatch(chunk, `kill ${index + 1} (${chunk.length} events put)`);
  }
  const readers = await run.start();
  await readers.put(events);
  run.note(`replayed all ${events.length} events`);
  const expected = oracle(events, Date.now());
  const matches = async () => {
    const profiles = await readers.profiles(customerIds);
    const totals = await readers.counterTotals(EXPERIMENT_CAMPAIGN);
    return (
      customerIds.every(
        (id) =>
          JSON.stringify(deterministicPart(profiles.get(id))) ===
          JSON.stringify(deterministicPart(expected.profiles.get(id))),
      ) &&
      totals.delivered === expected.counts.delivered &&
      totals.opened === expected.counts.opened
    );
  };
  const drained = await until(matches, { timeoutMs: 60_000, everyMs: 1_000 });
  run.note(drained ? "profiles and counters match the oracle" : "gave up waiting for the oracle");
  // Anything late (a second send, a counter added twice) has time to show.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  stored = await readers.profiles(customerIds);
  const totals = await readers.counterTotals(EXPERIMENT_CAMPAIGN);
  counts = { delivered: totals.delivered ?? 0, opened: totals.opened ?? 0 };
  welcome = await welcomeOutcomes(readers, run.sinkUrl, customerIds);
  welcomeSent = (await readers.counterTotals(WELCOME)).sent ?? 0;
  run.note(`welcome: ${describeOutcomes(welcome)}; sent counter ${welcomeSent}`);
  for (const line of await postMortem(readers, welcome)) run.note(line);
  run.note("read back");
}, 240_000);

afterAll(async () => {
  process.stdout.write(`ingest-crash run:\n  ${run.log.join("\n  ")}\n`);
  await run.dispose();
});

describe("three kills while batches are ingested, then a full replay", () => {
  it("(a) every profile equals the fold of its customer's events", () => {
    const expected = oracle(events, Date.now()).profiles;
    expect(stored.size).toBe(CUSTOMERS);
    for (const id of customerIds) {
      expect({ id, profile: deterministicPart(stored.get(id)) }).toEqual({
        id,
        profile: deterministicPart(expected.get(id)),
      });
    }
  });

  it("(b) the experiment counters hold what the profiles imply, nothing lost or doubled", () => {
    const expected = oracle(events, Date.now()).counts;
    const deliveredInProfiles = [...stored.values()].reduce((sum, p) => sum + (p.k.ed?.n ?? 0), 0);
    const deliveredEvents = events.filter((e) => e.body.event === "Email Delivered").length;
    expect(deliveredInProfiles).toBe(deliveredEvents);
    expect(counts).toEqual({ delivered: deliveredEvents, opened: expected.opened });
  });

  it("(c) no customer got the once-per-customer welcome twice, and none is lost", () => {
    expect(welcome?.twice).toEqual([]);
    expect(welcome?.lost).toEqual([]);
  });

  it("(b) the welcome's sent counter never counts an email twice", () => {
    const out = (welcome?.once.length ?? 0) + (welcome?.sentClaimPending.length ?? 0);
    expect(welcomeSent).toBeLessThanOrEqual(out);
  });

  // KNOWN ISSUE (issue 13): dispatch adds `sent` after the whole SQS batch settled, for outcomes of that attempt
  // only: a kill between a send's ledger record and the counter write loses the increment for good (the
  // redelivery finds the claim settled, a duplicate, and counts nothing). See dispatch-crash.faults.ts.
  it.runIf(KNOWN_ISSUES)("KNOWN ISSUE: the welcome's sent counter counts every email that went out", () => {
    const out = (welcome?.once.length ?? 0) + (welcome?.sentClaimPending.length ?? 0);
    expect(welcomeSent).toBe(out);
  });
});
