import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "#infra/local-names.js";
import {
  CrashRun,
  describeOutcomes,
  postMortem,
  WELCOME,
  type WelcomeOutcomes,
  welcomeOutcomes,
} from "./support/crash-run.js";
import type { ShopEvent } from "./support/shop-events.js";
import { mailByRecipient, until } from "./support/stack-readers.js";

/**
 * kill -9 of the whole local stack while dispatch sends the once-per-customer welcome to 150 new customers: once
 * when the first emails reach SES, again when more have gone out after the restart; a restart on the same data
 * dir after each, then the stack drains. Whatever the kill moments, no customer gets the welcome twice and none is
 * lost (a customer without it has a pending claim, which the ledger's lease releases later).
 */

const CUSTOMERS = 150;
const start = Date.now() - 600_000;
const customerIds = Array.from({ length: CUSTOMERS }, (_, i) => `kd-${String(i).padStart(3, "0")}`);
/** Each customer signs up (identify with an email), and identifies again a minute later: one welcome each. */
const events: ShopEvent[] = customerIds
  .flatMap((customerId, i) =>
    [0, 1].map((n) => {
      const at = start + i * 1_000 + n * 60_000;
      return {
        customerId,
        at,
        body: {
          type: "identify",
          messageId: `${customerId}-i${n}`,
          userId: customerId,
          timestamp: new Date(at).toISOString(),
          traits: n === 0 ? { email: `${customerId}@example.com`, first_name: "Ada" } : { city: "Lyon" },
        },
      };
    }),
  )
  .sort((a, b) => a.at - b.at);
const run = new CrashRun();
let outcomes: WelcomeOutcomes | undefined;
let sentCounter = 0;
/** The known issues' tests run only when asked: they fail whenever a kill falls in their window. */
const KNOWN_ISSUES = process.env.FAULTS_KNOWN_ISSUES === "1";

const emailsSent = async () => [...(await mailByRecipient(run.sinkUrl)).values()].reduce((a, b) => a + b, 0);

beforeAll(async () => {
  let readers = await run.start();
  await readers.put(events);
  let before = 0;
  for (const kill of [1, 2]) {
    const seen = await until(async () => (await emailsSent()) > before, { timeoutMs: 60_000, everyMs: 10 });
    await run.kill(
      `kill ${kill} while dispatch sends: ${seen ? `${await emailsSent()} emails out` : "(no send seen)"}`,
    );
    before = await emailsSent();
    readers = await run.start();
  }
  const settledReaders = readers;
  const drained = await until(
    async () => {
      const now = await welcomeOutcomes(settledReaders, run.sinkUrl, customerIds);
      return now.lost.length === 0 && now.twice.length === 0;
    },
    { timeoutMs: 60_000, everyMs: 1_000 },
  );
  run.note(drained ? "every customer has the welcome or a pending claim" : "gave up waiting");
  // Anything late (a second send, a counter added twice) has time to show.
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  outcomes = await welcomeOutcomes(readers, run.sinkUrl, customerIds);
  sentCounter = (await readers.counterTotals(WELCOME)).sent ?? 0;
  const queues = await Promise.all(
    [LOCAL_NAMES.sendsQueue, LOCAL_NAMES.sendsDeadLetterQueue].map(
      async (name) => `${name} ${await readers.queueDepth(name)}`,
    ),
  );
  run.note(
    `welcome: ${describeOutcomes(outcomes)}; sent counter ${sentCounter}; messages on ${queues.join(", ")}`,
  );
  for (const line of await postMortem(readers, outcomes)) run.note(line);
}, 240_000);

afterAll(async () => {
  process.stdout.write(`dispatch-crash run:\n  ${run.log.join("\n  ")}\n`);
  await run.dispose();
});

describe("two kills while dispatch sends a once-per-customer welcome", () => {
  it("(c) no customer got it twice, and none is lost", () => {
    expect(outcomes?.twice).toEqual([]);
    expect(outcomes?.lost).toEqual([]);
  });

  it("(b) the sent counter never counts an email twice", () => {
    const out = (outcomes?.once.length ?? 0) + (outcomes?.sentClaimPending.length ?? 0);
    expect(sentCounter).toBeLessThanOrEqual(out);
  });

  // THE REMAINING WINDOW (docs/campaigns.md, "The send window"): a kill after SES accepted an email and before the
  // ledger recorded it leaves the claim pending, and the email uncounted, until the claim's 4-minute lease ends;
  // the redelivery that then retakes it finds SES's `Send` record, records it as sent and counts it, without
  // sending again (test/dispatch/send-window.test.ts, test/long/e2e-campaigns.long.ts). This run ends before the lease
  // does, and its mail sink (which stands in for SES) publishes no `Send` events, so these stay red here.
  it.runIf(KNOWN_ISSUES)("KNOWN ISSUE: no email that went out is left with a pending claim", () => {
    expect(outcomes?.sentClaimPending).toEqual([]);
  });

  // The same window: `sent` is counted under the send key before the ledger settles the claim, so only a claim
  // still pending (killed between SES and the count) is uncounted, until the attempt that settles it counts it.
  it.runIf(KNOWN_ISSUES)("KNOWN ISSUE: the sent counter counts every email that went out", () => {
    const out = (outcomes?.once.length ?? 0) + (outcomes?.sentClaimPending.length ?? 0);
    expect(sentCounter).toBe(out);
  });
});
