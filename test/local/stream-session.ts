import { type KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { expect } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { readSentMail, type SentMail } from "#shared/sim/sent-mail.js";
import type { TestClock } from "./test-clock.js";

/**
 * Segment-spec messages for a test on the local stack, each with a message id of its own (`<prefix>-<n>`):
 * track events and a sign-up (an identify with an email address, and marketing consent).
 */
export function streamMessages(prefix: string) {
  let sequence = 0;
  const envelope = (type: string, userId: string, at: number) => ({
    type,
    messageId: `${prefix}-${++sequence}-${userId}`,
    userId,
    timestamp: new Date(at).toISOString(),
  });
  const track = (userId: string, event: string, at: number, properties: Record<string, unknown> = {}) => ({
    ...envelope("track", userId, at),
    event,
    properties,
  });
  return {
    track,
    signUp: (userId: string, at: number, traits: Record<string, unknown> = {}) => [
      { ...envelope("identify", userId, at), traits: { email: `${userId}@example.com`, ...traits } },
      track(userId, "Consent Updated", at, { purpose: "marketing_email", granted: true }),
    ],
  };
}

/** Puts `events` on the local stack's stream (partition key: the user, else the anonymous id) and waits. */
export async function putOnStream(
  stack: LocalStack,
  kinesis: KinesisClient,
  events: readonly Record<string, unknown>[],
): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: events.map((event) => ({
        PartitionKey: String(event.userId ?? event.anonymousId),
        Data: new TextEncoder().encode(JSON.stringify(event)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

/** What a minute passing does at `at`: due timers fire, their sends are dispatched. */
export async function tickAt(stack: LocalStack, clock: TestClock, at: number): Promise<void> {
  clock.at = at;
  await stack.runSchedulesNow();
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

/** The emails the SES emulator holds for `customerId` (`<customerId>@example.com`). */
export async function mailTo(stack: LocalStack, customerId: string): Promise<SentMail[]> {
  const mail = await readSentMail(stack.endpoints.sesv2);
  return mail.filter((m) => m.to.some((to) => to.includes(`${customerId}@example.com`)));
}
