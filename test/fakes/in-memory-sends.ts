import type { SendIntent } from "#shared/domain/campaigns/contracts.js";
import type { SendQueue, SendTimers } from "#shared/ports.js";

/** The sends queue in memory; `failNext` refuses that many enqueue calls (an SQS outage). */
export class InMemorySendQueue implements SendQueue {
  readonly messages: SendIntent[] = [];
  failNext = 0;

  async enqueue(intents: readonly SendIntent[]): Promise<ReadonlySet<string>> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("queue unavailable");
    }
    this.messages.push(...structuredClone([...intents]));
    return new Set(intents.map((intent) => intent.key));
  }

  keys(): string[] {
    return this.messages.map((intent) => intent.key);
  }
}

/** Send timers in memory, one per (key, due time), like the store. */
export class InMemorySendTimers implements SendTimers {
  readonly items = new Map<string, SendIntent>();
  writes = 0;

  async schedule(intent: SendIntent): Promise<number> {
    this.items.set(`${intent.key}@${intent.dueAt}`, structuredClone(intent));
    this.writes++;
    return 1;
  }

  async due(now: number, limit: number): Promise<SendIntent[]> {
    return [...this.items.values()]
      .filter((intent) => intent.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  async complete(intent: SendIntent): Promise<void> {
    this.items.delete(`${intent.key}@${intent.dueAt}`);
  }

  pending(): SendIntent[] {
    return [...this.items.values()].sort((a, b) => a.dueAt - b.dueAt || (a.key < b.key ? -1 : 1));
  }
}
