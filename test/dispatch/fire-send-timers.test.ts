import { describe, expect, it } from "vitest";
import { fireSendTimers } from "#shared/app/fire-send-timers.js";
import { FakeTime } from "../campaigns-adapters/fake-time.js";
import { MemoryQueue, MemorySendTimers } from "./fakes.js";
import { HOUR, intent, MINUTE, T0 } from "./harness.js";

describe("fireSendTimers", () => {
  it("enqueues the due intents and completes their timers; later ones wait", async () => {
    // Prepare
    const timers = new MemorySendTimers();
    const queue = new MemoryQueue();
    const due = [intent("cart", "c-1", { dueAt: T0 - MINUTE }), intent("cart", "c-2", { dueAt: T0 })];
    const later = intent("cart", "c-3", { dueAt: T0 + HOUR });
    for (const one of [...due, later]) await timers.schedule(one);

    // Act
    const summary = await fireSendTimers({ timers, queue, clock: new FakeTime(T0) });

    // Assess
    expect(queue.messages).toEqual(due);
    expect([...timers.timers.values()]).toEqual([later]);
    expect(summary).toMatchObject({ due: 2, enqueued: 2, completed: 2, notEnqueued: 0 });
  });

  it("leaves the timers of intents the queue refused due, and does not retry them within the run", async () => {
    const timers = new MemorySendTimers();
    const queue = new MemoryQueue();
    const refused = intent("cart", "c-1");
    const taken = intent("cart", "c-2");
    await timers.schedule(refused);
    await timers.schedule(taken);
    queue.refuse.add(refused.key);

    const summary = await fireSendTimers({ timers, queue, clock: new FakeTime(T0) }, { limit: 1 });

    expect(queue.messages).toEqual([taken]);
    expect([...timers.timers.values()]).toEqual([refused]);
    expect(summary).toMatchObject({ due: 2, enqueued: 1, notEnqueued: 1, completed: 1 });
  });

  it("counts timers whose delete failed: they stay and fire again", async () => {
    const timers = new MemorySendTimers();
    const queue = new MemoryQueue();
    await timers.schedule(intent("cart", "c-1"));
    timers.failComplete = true;

    const summary = await fireSendTimers({ timers, queue, clock: new FakeTime(T0) });

    expect(summary).toMatchObject({ due: 1, enqueued: 1, completed: 0, completeFailures: 1 });
    expect(timers.timers.size).toBe(1);
    expect(summary.failures).toHaveLength(1);
  });
});
