import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { functionsEnvironment, localFunctionEnvironment } from "#infra/local/function-env.js";
import type { ScheduledEvent, ScheduledHandler } from "#infra/local/local-scheduler.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import { functionSpec } from "./function-spec.js";
import { tempDir } from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixture: unknown = JSON.parse(
  readFileSync(new URL("./fixtures/template.json", import.meta.url), "utf8"),
);
const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 };
const data = tempDir("tailor-schedules-");
afterAll(() => data.remove());

const RULE_ARN = "arn:aws:events:us-east-1:000000000000:rule/tailor-segment-timers-schedule";

/** The fixture plus a segment-timers function and its every-minute rule, as the CDK app declares them. */
function templateWithSchedule(): unknown {
  const resources =
    typeof fixture === "object" && fixture !== null && "Resources" in fixture
      ? Object(fixture.Resources)
      : {};
  return {
    Resources: {
      ...resources,
      SegmentTimersFunction: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Tags: [{ Key: "tailor:local-name", Value: "tailor-segment-timers" }],
          Timeout: 55,
          Environment: {
            Variables: {
              PROFILES_TABLE: { Ref: "ProfilesTable43079065" },
              SEGMENTS_DIR: "templates/segments",
              POWERTOOLS_SERVICE_NAME: "segment-timers",
            },
          },
        },
      },
      SegmentTimersSchedule: {
        Type: "AWS::Events::Rule",
        Properties: {
          ScheduleExpression: "rate(1 minute)",
          State: "ENABLED",
          Targets: [{ Id: "Target0", Arn: { "Fn::GetAtt": ["SegmentTimersFunction", "Arn"] } }],
          Tags: [{ Key: "tailor:local-name", Value: "tailor-segment-timers-schedule" }],
        },
      },
    },
  };
}

/** A stand-in for the segment-timers handler: the events it got and the env it saw. */
function fakeTimers(fail = false) {
  const events: ScheduledEvent[] = [];
  const segmentsDirs: (string | undefined)[] = [];
  const handler: ScheduledHandler = async (event) => {
    events.push(event);
    segmentsDirs.push(process.env.SEGMENTS_DIR);
    if (fail) throw new Error("no timers table");
  };
  return { handler, events, segmentsDirs };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("startLocalStack: schedules", () => {
  it("runs the rule's target at scheduleIntervalMs, on demand, and not after stop", async () => {
    // GIVEN
    const timers = fakeTimers();
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: anyPort,
      template: templateWithSchedule(),
      pollers: false,
      schedules: true,
      handlers: { "tailor-segment-timers": timers.handler },
      scheduleIntervalMs: 200,
      log: (line) => lines.push(line),
    });
    let countAtStop = 0;
    try {
      expect(stack.names.schedules).toEqual(["tailor-segment-timers-schedule"]);
      // WHEN time passes
      const deadline = Date.now() + 5000;
      while (timers.events.length < 2 && Date.now() < deadline) await sleep(20);
      // THEN the handler got Scheduled Events of the local rule
      expect(timers.events.length).toBeGreaterThanOrEqual(2);
      expect(timers.events[0]).toMatchObject({
        "detail-type": "Scheduled Event",
        source: "aws.events",
        resources: [RULE_ARN],
        detail: {},
      });
      // ...with the relative SEGMENTS_DIR resolved against the repository root
      expect(timers.segmentsDirs[0]).toBe(path.join(repoRoot, "templates", "segments"));

      // WHEN a tick is asked for
      const before = timers.events.length;
      const run = await stack.runSchedulesNow();
      // THEN it ran before the promise resolved
      expect(run).toEqual({ invocations: 1, errors: 0 });
      expect(timers.events.length).toBeGreaterThan(before);
      expect(stack.scheduler.counters[0]).toMatchObject({
        name: "tailor-segment-timers-schedule",
        errors: 0,
      });
    } finally {
      await stack.stop();
      countAtStop = timers.events.length;
    }
    // THEN stop stopped it
    await sleep(450);
    expect(timers.events.length).toBe(countAtStop);
    expect(lines.join("\n")).not.toContain("schedule tailor-segment-timers-schedule →");
  });

  it("survives a failing handler, and runs no schedule with schedules: false", async () => {
    // GIVEN a handler that always fails
    const failing = fakeTimers(true);
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      ports: anyPort,
      template: templateWithSchedule(),
      pollers: false,
      schedules: true,
      handlers: { "tailor-segment-timers": failing.handler },
      scheduleIntervalMs: 100,
      log: (line) => lines.push(line),
    });
    try {
      // WHEN it has failed a few times
      const deadline = Date.now() + 5000;
      while (failing.events.length < 3 && Date.now() < deadline) await sleep(20);
      // THEN each failure is logged and counted, and the stack still runs it
      expect(failing.events.length).toBeGreaterThanOrEqual(3);
      expect(await stack.runSchedulesNow()).toEqual({ invocations: 1, errors: 1 });
      expect(stack.scheduler.counters[0]?.errors).toBeGreaterThanOrEqual(4);
      expect(lines).toContain(
        "schedule tailor-segment-timers-schedule → tailor-segment-timers: Error: no timers table",
      );
    } finally {
      await stack.stop();
    }

    // GIVEN schedules off
    const idle = fakeTimers();
    const quiet = await startLocalStack({
      dataDir: data.dir,
      ports: anyPort,
      template: templateWithSchedule(),
      pollers: false,
      handlers: { "tailor-segment-timers": idle.handler },
      scheduleIntervalMs: 50,
      log: () => {},
    });
    try {
      await sleep(200);
      // THEN nothing runs, even on demand
      expect(await quiet.runSchedulesNow()).toEqual({ invocations: 0, errors: 0 });
      expect(idle.events).toEqual([]);
      // ...though the plan still knows the rule
      expect(quiet.plan.schedules.map((s) => s.name)).toEqual(["tailor-segment-timers-schedule"]);
    } finally {
      await quiet.stop();
    }
  });
});

describe("function environments", () => {
  it("resolves relative *_DIR paths against the root, and drops runtime-only variables", () => {
    const env = localFunctionEnvironment(
      functionSpec("f", {
        SEGMENTS_DIR: "templates/segments",
        OTHER_DIR: "/abs/path",
        TABLE: "templates/segments",
        NODE_OPTIONS: "--enable-source-maps",
      }),
      "/repo",
    );
    expect(env).toEqual({
      SEGMENTS_DIR: "/repo/templates/segments",
      OTHER_DIR: "/abs/path",
      TABLE: "templates/segments",
    });
  });

  it("merges the functions' variables, keeping the first of two different values and saying so", () => {
    const lines: string[] = [];
    const env = functionsEnvironment(
      [
        functionSpec("a", { SERVICE: "ingest", SHARED: "x" }),
        functionSpec("b", { SERVICE: "timers", SHARED: "x", ONLY_B: "y" }),
      ],
      (line) => lines.push(line),
      "/repo",
    );
    expect(env).toEqual({ SERVICE: "ingest", SHARED: "x", ONLY_B: "y" });
    expect(lines).toEqual([
      'note: SERVICE is "ingest" for a but "timers" for b: each handler is loaded with its own; process.env keeps the first',
    ]);
  });
});
