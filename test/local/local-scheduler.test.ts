import { describe, expect, it } from "vitest";
import type { FunctionIdentity } from "#infra/local/kinesis-event.js";
import { LocalScheduler, type ScheduledEvent, type ScheduledHandler } from "#infra/local/local-scheduler.js";

const RULE_ARN = "arn:aws:events:us-east-1:000000000000:rule/tailor-segment-timers-schedule";
const fn = (name: string, timeoutSeconds = 5): FunctionIdentity => ({
  functionName: name,
  functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  memorySize: 1024,
  timeoutSeconds,
});

/** A handler that records each call: the event, the context's function name, and when it started. */
function recorder(behaviour: (call: number) => Promise<void> = async () => {}) {
  const calls: { event: ScheduledEvent; functionName: string; at: number }[] = [];
  const handler: ScheduledHandler = async (event, context) => {
    calls.push({ event, functionName: context.functionName, at: performance.now() });
    await behaviour(calls.length);
  };
  return { handler, calls };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

function scheduler(handler: ScheduledHandler, options: { intervalMs?: number; periodMs?: number } = {}) {
  const lines: string[] = [];
  const instance = new LocalScheduler({
    schedules: [
      {
        name: "tailor-segment-timers-schedule",
        arn: RULE_ARN,
        expression: "rate(1 minute)",
        periodMs: options.periodMs ?? 60_000,
        targets: [{ function: fn("tailor-segment-timers"), handler }],
      },
    ],
    intervalMs: options.intervalMs,
    log: (line) => lines.push(line),
  });
  return { instance, lines };
}

describe("LocalScheduler", () => {
  it("invokes the target at the overridden rate with EventBridge's Scheduled Event", async () => {
    // GIVEN a one-minute rule run every 200 ms
    const target = recorder();
    const { instance } = scheduler(target.handler, { intervalMs: 200 });
    const started = performance.now();
    // WHEN
    instance.start();
    try {
      await until(() => target.calls.length >= 3);
    } finally {
      await instance.stop();
    }
    // THEN the k-th tick came no earlier than k periods after start (a late tick on a busy machine makes the
    // next one look close to it, never early)
    target.calls.forEach((call, index) => {
      expect(call.at - started).toBeGreaterThanOrEqual((index + 1) * 200 - 10);
    });
    // ...in EventBridge's shape, for the function it targets
    const [first, second] = target.calls;
    expect(first?.functionName).toBe("tailor-segment-timers");
    expect(first?.event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: "us-east-1",
      resources: [RULE_ARN],
      detail: {},
    });
    expect(Math.abs(Date.parse(first?.event.time ?? "") - Date.now())).toBeLessThan(10_000);
    expect(second?.event.id).not.toBe(first?.event.id);
    expect(instance.counters[0]).toMatchObject({
      periodMs: 200,
      invocations: target.calls.length,
      errors: 0,
    });
  });

  it("waits for the rule's own period without an override", async () => {
    // GIVEN a rule of one minute
    const target = recorder();
    const { instance } = scheduler(target.handler);
    // WHEN a few hundred ms pass
    instance.start();
    await sleep(300);
    await instance.stop();
    // THEN it has not fired
    expect(target.calls).toEqual([]);
    expect(instance.counters[0]?.periodMs).toBe(60_000);
  });

  it("stops: no tick after stop(), and stop() waits for the one in flight", async () => {
    // GIVEN a slow handler ticking every 50 ms
    let finished = 0;
    const target = recorder(async () => {
      await sleep(150);
      finished++;
    });
    const { instance } = scheduler(target.handler, { intervalMs: 50 });
    instance.start();
    await until(() => target.calls.length === 1);
    // WHEN
    await instance.stop();
    // THEN the tick in flight finished before stop() resolved, and nothing more runs
    expect(finished).toBe(1);
    const count = target.calls.length;
    await sleep(250);
    expect(target.calls.length).toBe(count);
    await expect(instance.runNow()).rejects.toThrow(/stopped/);
  });

  it("logs and counts a failing or timed-out handler, and keeps ticking", async () => {
    // GIVEN a handler that throws on its first call and then succeeds
    const target = recorder(async (call) => {
      if (call === 1) throw new TypeError("timers table unreachable");
    });
    const { instance, lines } = scheduler(target.handler, { intervalMs: 100 });
    instance.start();
    try {
      // WHEN it has run a few times
      await until(() => target.calls.length >= 3);
    } finally {
      await instance.stop();
    }
    // THEN the error is logged and counted, and later ticks ran
    expect(lines[0]).toBe(
      "schedule tailor-segment-timers-schedule → tailor-segment-timers: TypeError: timers table unreachable",
    );
    expect(instance.counters[0]).toMatchObject({
      errors: 1,
      lastError: expect.stringContaining("unreachable"),
    });

    // GIVEN a handler slower than its function's timeout
    const slow = new LocalScheduler({
      schedules: [
        {
          name: "r",
          arn: RULE_ARN,
          expression: "rate(1 minute)",
          periodMs: 60_000,
          targets: [{ function: fn("slow", 0.05), handler: () => sleep(500) }],
        },
      ],
    });
    // WHEN / THEN
    expect(await slow.runNow()).toEqual({ invocations: 1, errors: 1 });
    expect(slow.counters[0]?.lastError).toContain("Task timed out after 0.05 seconds");
    await slow.stop();
  });

  it("runs a tick on demand, after the one in flight, and reports it", async () => {
    // GIVEN a rule that will not tick by itself during the test, and a handler that tracks overlap
    let active = 0;
    let overlapped = false;
    const target = recorder(async () => {
      active++;
      if (active > 1) overlapped = true;
      await sleep(50);
      active--;
    });
    const { instance } = scheduler(target.handler);
    instance.start();
    try {
      // WHEN two ticks are asked for at once
      const [a, b] = await Promise.all([instance.runNow(), instance.runNow()]);
      // THEN both ran, one after the other
      expect(a).toEqual({ invocations: 1, errors: 0 });
      expect(b).toEqual({ invocations: 1, errors: 0 });
      expect(target.calls).toHaveLength(2);
      expect(overlapped).toBe(false);
      expect(instance.counters[0]?.ticks).toBe(2);
    } finally {
      await instance.stop();
    }
  });

  it("rejects an interval that is not a positive duration", () => {
    expect(() => scheduler(recorder().handler, { intervalMs: 0 })).toThrow(/scheduleIntervalMs/);
  });
});
