import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { recordSesFeedback } from "#shared/app/ses-feedback.js";
import { DynamoSendLedger, SEND_CLAIM_LEASE_MS } from "#shared/aws/dynamo-send-ledger.js";
import { emailTags } from "#shared/aws/sesv2-mailer.js";
import type { LedgerEntry } from "#shared/domain/campaigns/contracts.js";
import { MailerThrottledError } from "#shared/mailer-errors.js";
import type {
  EventRecord,
  EventWriteOutcome,
  EventWriter,
  Mailer,
  MailReceipt,
  OutgoingEmail,
} from "#shared/ports.js";
import { envelope, mail } from "../feedback/ses-fixtures.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";
import { campaign, customer, harness, intent, MINUTE, messages, T0 } from "./harness.js";

/**
 * Item 4 of issue 13: an attempt that dies after SES accepted the email and before the ledger recorded it must not
 * lead to a second send once SES's `Send` event is in the ledger; and its claim is retaken within minutes.
 */

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;
let tables = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});
afterAll(async () => {
  await stop?.();
});

/** SES as dispatch sees it: it accepts each email (an id per email); `die` makes the caller never hear back. */
class AcceptingMailer implements Mailer {
  readonly accepted: { email: OutgoingEmail; messageId: string }[] = [];
  /** The next send is accepted, then the attempt dies: the promise never settles (Lambda killed it). */
  die = false;
  /** Thrown one per call, before SES accepted anything. */
  readonly failures: Error[] = [];

  async send(email: OutgoingEmail): Promise<MailReceipt> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const messageId = `0100-ses-${this.accepted.length + 1}`;
    this.accepted.push({ email, messageId });
    if (this.die) {
      this.die = false;
      return new Promise<MailReceipt>(() => {});
    }
    return { messageId };
  }
}

class NullWriter implements EventWriter {
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    return { accepted: records.length, rejected: [] };
  }
}

/** The `Send` event SES publishes for an accepted email: its message tags as the mailer set them. */
function sendEvent(accepted: { email: OutgoingEmail; messageId: string }, at: number) {
  const tags = Object.fromEntries(emailTags(accepted.email).map((tag) => [tag.Name, [tag.Value]]));
  return envelope("Email Sent", {
    eventType: "Send",
    mail: {
      ...mail({ "ses:configuration-set": ["tailor"], ...tags }),
      messageId: accepted.messageId,
      timestamp: new Date(at).toISOString(),
    },
    send: {},
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error("timed out");
}

/** Dispatch with the send ledger on dynalite and a mailer standing for SES. */
async function setup() {
  const tableName = `window-${++tables}`;
  await createTable(dynamodb, tableName, "customerId", "sk");
  const ledger = new DynamoSendLedger({ client: dynamodb, tableName });
  const mailer = new AcceptingMailer();
  const welcome = campaign({ id: "welcome", steps: [{ delay: "0m", template: "welcome" }] });
  const base = harness([welcome], [customer("c-1")]);
  const deps = { ...base.deps, ledger, mailer };
  const send = intent("welcome", "c-1", { template: "welcome" });
  const [message] = messages(send);
  if (message === undefined) throw new Error("no message");
  const sentLog = async (): Promise<LedgerEntry[]> =>
    (await ledger.recent("c-1", 0)).filter((entry) => entry.outcome === "sent");
  return { ledger, mailer, deps, time: base.time, send, message, sentLog };
}

describe("a send whose attempt died after SES accepted it", () => {
  it("is recorded as sent from SES's Send event when its message comes back, and not sent again", async () => {
    // Prepare: the attempt hands the email to SES and dies before the ledger records it.
    const { ledger, mailer, deps, time, message, sentLog } = await setup();
    mailer.die = true;
    void dispatchSends(deps, [message]);
    await waitFor(() => mailer.accepted.length === 1);
    const [first] = mailer.accepted;
    if (first === undefined) throw new Error("nothing accepted");
    // SES publishes its Send event; the feedback path records it by the email's send tag.
    const acceptedAt = T0 + 1_250;
    await recordSesFeedback({ events: new NullWriter(), acceptances: ledger }, sendEvent(first, acceptedAt));

    // Act: the sends queue delivers the message again after its visibility timeout (6 minutes).
    time.advance(6 * MINUTE);
    const { summary, failed } = await dispatchSends(deps, [message]);

    // Assess
    expect(mailer.accepted).toHaveLength(1);
    expect(summary).toMatchObject({ sent: 0, duplicates: 1, failedRetryable: 0 });
    expect(failed.size).toBe(0);
    expect(await sentLog()).toEqual([
      expect.objectContaining({
        key: first.email.sendKey,
        messageId: first.messageId,
        variant: "a",
        at: acceptedAt,
      }),
    ]);
    // A later delivery is a plain duplicate.
    expect((await dispatchSends(deps, [message])).summary.duplicates).toBe(1);
    expect(mailer.accepted).toHaveLength(1);
  });

  it("is recorded as sent when the ledger failed to record it and a duplicate of its intent comes", async () => {
    // Prepare: SES accepts; the ledger's record fails (the claim stays pending); the Send event is recorded.
    const { ledger, mailer, deps, time, message, sentLog } = await setup();
    const failing = {
      ...deps,
      ledger: {
        claim: ledger.claim.bind(ledger),
        accepted: ledger.accepted.bind(ledger),
        release: ledger.release.bind(ledger),
        recent: ledger.recent.bind(ledger),
        lockCustomer: ledger.lockCustomer.bind(ledger),
        unlockCustomer: ledger.unlockCustomer.bind(ledger),
        record: async () => {
          throw new Error("ledger unavailable");
        },
      },
    };
    const first = await dispatchSends(failing, [message]);
    const [accepted] = mailer.accepted;
    if (accepted === undefined) throw new Error("nothing accepted");
    await recordSesFeedback({ events: new NullWriter(), acceptances: ledger }, sendEvent(accepted, T0));

    // Act: the same intent again (an outbox republished it), once the lease has ended.
    time.advance(SEND_CLAIM_LEASE_MS + 1);
    const again = await dispatchSends(deps, [message]);

    // Assess
    expect(first.summary).toMatchObject({ sent: 1, unrecorded: 1 });
    expect(again.summary).toMatchObject({ sent: 0, duplicates: 1 });
    expect(mailer.accepted).toHaveLength(1);
    expect((await sentLog()).map((entry) => entry.messageId)).toEqual([accepted.messageId]);
  });

  it("is retaken within minutes: blocked while the lease lasts, retried at the next receive", async () => {
    // Prepare: the attempt dies before SES accepted anything (its claim is left pending).
    const { mailer, deps, time, message, ledger, send } = await setup();
    await ledger.claim(send, time.now());

    // Act: a receive within the lease, then the next one after the visibility timeout (6 minutes).
    time.advance(3 * MINUTE);
    const early = await dispatchSends(deps, [message]);
    time.advance(3 * MINUTE);
    const next = await dispatchSends(deps, [message]);

    // Assess: nothing was accepted, so the retaken claim sends it, once.
    expect(early.summary).toMatchObject({ sent: 0, failedRetryable: 1 });
    expect(next.summary).toMatchObject({ sent: 1, failedRetryable: 0 });
    expect(mailer.accepted).toHaveLength(1);
  });

  it("a retaken claim that fails again is not released, so a Send event arriving late still counts", async () => {
    // Prepare: the attempt dies after SES accepted; the Send event is not in the ledger yet.
    const { ledger, mailer, deps, time, message } = await setup();
    mailer.die = true;
    void dispatchSends(deps, [message]);
    await waitFor(() => mailer.accepted.length === 1);
    const [first] = mailer.accepted;
    if (first === undefined) throw new Error("nothing accepted");
    // The retaking attempt finds no Send event, and SES throttles it through its retries.
    time.advance(6 * MINUTE);
    mailer.failures.push(...[1, 2, 3].map(() => new MailerThrottledError("throttled")));
    const retaken = await dispatchSends(deps, [message]);

    // Act: the Send event arrives; the message comes back once more.
    await recordSesFeedback({ events: new NullWriter(), acceptances: ledger }, sendEvent(first, T0 + 1));
    time.advance(6 * MINUTE);
    const last = await dispatchSends(deps, [message]);

    // Assess
    expect(retaken.summary).toMatchObject({ sent: 0, failedRetryable: 1 });
    expect(last.summary).toMatchObject({ sent: 0, duplicates: 1 });
    expect(mailer.accepted).toHaveLength(1);
  });

  it("without its Send event in the ledger it is sent again: the window that remains", async () => {
    // Prepare
    const { mailer, deps, time, message } = await setup();
    mailer.die = true;
    void dispatchSends(deps, [message]);
    await waitFor(() => mailer.accepted.length === 1);

    // Act: the Send event was lost (or is later than the retry).
    time.advance(6 * MINUTE);
    await dispatchSends(deps, [message]);

    // Assess
    expect(mailer.accepted).toHaveLength(2);
  });
});
