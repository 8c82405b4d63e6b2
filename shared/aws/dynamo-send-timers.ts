import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SendIntent } from "../domain/campaigns/contracts.js";
import { parseSendIntent } from "../domain/campaigns/send-intent.js";
import type { SendTimers } from "../ports.js";
import { DynamoTimers } from "./dynamo-timers.js";

/** The key namespace of send timers in the timers table (segment timers use none). */
export const SEND_TIMER_NAMESPACE = "s";

/**
 * Send timers in the segment timers' table (see {@link DynamoTimers}), under their own key namespace `s#`, so the
 * two kinds share the table's minute index layout and polling but never see each other's timers or cursor.
 * One timer per (send key, due time), carrying the intent as JSON: scheduling the same intent twice is one
 * timer. A payload that is not an intent (written by something else) is deleted when found, so it cannot hold
 * its minute open forever.
 */
export class DynamoSendTimers implements SendTimers {
  readonly #timers: DynamoTimers;

  constructor(options: {
    client: DynamoDBClient;
    tableName: string;
    shards?: number;
    /** Days a timer is kept past its due time (see {@link DynamoTimers}). @default 30 */
    graceDays?: number;
  }) {
    this.#timers = new DynamoTimers({ ...options, namespace: SEND_TIMER_NAMESPACE });
  }

  schedule(intent: SendIntent): Promise<number> {
    return this.#timers.put({
      id: intent.key,
      customerId: intent.customerId,
      dueAt: intent.dueAt,
      payload: JSON.stringify(intent),
    });
  }

  async due(now: number, limit: number): Promise<SendIntent[]> {
    const entries = await this.#timers.dueEntries(now, limit);
    const intents: SendIntent[] = [];
    const broken: { id: string; dueAt: number }[] = [];
    for (const entry of entries) {
      const parsed = parseSendIntent(entry.payload ?? "");
      // The key and due time are the timer's identity: an intent that disagrees could never be completed.
      if (parsed.ok && parsed.intent.key === entry.id && parsed.intent.dueAt === entry.dueAt) {
        intents.push(parsed.intent);
      } else broken.push({ id: entry.id, dueAt: entry.dueAt });
    }
    await Promise.all(broken.map((entry) => this.#timers.remove(entry)));
    return intents;
  }

  async complete(intent: SendIntent): Promise<void> {
    await this.#timers.remove({ id: intent.key, dueAt: intent.dueAt });
  }
}
