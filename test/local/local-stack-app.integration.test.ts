import { afterAll, describe, expect, it } from "vitest";
import { stackBanner } from "#cli/stack-banner.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import { tempDir } from "./helpers.js";

const data = tempDir("tailor-app-stack-");
afterAll(() => data.remove());

describe("startLocalStack with the app's own template and handlers", () => {
  it("boots the campaign functions: queues polled, rules run, the HTTP API served, the secret kept locally", async () => {
    // GIVEN the synthesised app and its real handler modules
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 },
      log: (line) => lines.push(line),
      env: { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true" },
    });
    try {
      // THEN the campaign functions are there, each run by what drives it on AWS
      expect(stack.names.functions).toEqual(
        expect.arrayContaining([
          "tailor-dispatch",
          "tailor-campaign-transitions",
          "tailor-fanout-plan",
          "tailor-fanout-part",
          "tailor-api",
          "tailor-ses-feedback",
        ]),
      );
      expect(stack.names.tables).toContain("tailor-send-ledger");
      expect(stack.names.queues).toEqual(expect.arrayContaining(["tailor-sends", "tailor-sends-dlq"]));
      expect(stack.sqsPollers.map((p) => `${p.functionName} ← ${p.queueName}`).sort()).toEqual([
        "tailor-campaign-transitions ← tailor-segment-transitions",
        "tailor-catalog-changes ← tailor-catalog-changes",
        "tailor-dispatch ← tailor-sends",
      ]);
      expect(
        stack.eventBus.rules.flatMap((r) =>
          r.targets.map((t) => ("stateMachine" in t ? t.stateMachine : t.function.functionName)),
        ),
      ).toEqual(["tailor-ses-feedback", "tailor-segment-jobs", "tailor-segment-jobs", "tailor-segment-jobs"]);
      const scheduled = stack.scheduler.counters.map((c) => c.name);
      expect(scheduled).toContain("tailor-segment-timers-schedule");
      expect(scheduled.some((name) => name.startsWith("tailor-campaign-"))).toBe(true);
      expect(lines.filter((line) => line.includes("handler is mapped"))).toEqual([]);

      // ...dispatch sends links to the local API, signed with the local secret file
      const dispatch = stack.plan.functions.find((f) => f.name === "tailor-dispatch")?.environment;
      expect(dispatch?.PUBLIC_API_URL?.startsWith(stack.apiUrl ?? "none")).toBe(true);
      expect(dispatch?.LINK_SECRET_FILE).toBe(stack.secretFiles.get("tailor-link-secret"));

      // ...and the real API function answers on the local server (a forged token is not a server error)
      const response = await fetch(`${stack.apiUrl}/unsubscribe?token=forged`);
      expect(response.status).not.toBe(404);
      expect(response.status).toBeLessThan(500);

      // ...and `tailor up` says where the API is and that authorization is not checked locally
      const banner = stackBanner(stack).join("\n");
      expect(banner).toContain(`HTTP API   ${stack.apiUrl}`);
      expect(banner).toContain("authorization not checked locally: POST /v1/events");
      expect(banner).toContain("Segment's HTTP API: POST /v1/batch");
      expect(banner).not.toContain("OPTIONS /v1/t");
      expect(banner).toContain("sent mail, web view: http://127.0.0.1:");
      expect(banner).toContain("tailor-dispatch ← tailor-sends");

      // ...and the nightly rescoring's rule starts its state machine (no longer "not run"), as the banner says
      expect(stack.names.stateMachines).toContain("tailor-rescore");
      // ...and each scheduled campaign's rule starts the fan-out workflow with the campaign and the tick
      expect(stack.names.stateMachines).toContain("tailor-fanout");
      expect(
        stack.plan.schedules.find((s) => s.name === "tailor-campaign-newsletter")?.stateMachineTargets,
      ).toEqual([expect.objectContaining({ stateMachineName: "tailor-fanout" })]);
      expect(
        stack.plan.schedules.find((s) => s.name === "tailor-rescore-schedule")?.stateMachineTargets,
      ).toEqual([
        { id: "Target0", stateMachineName: "tailor-rescore", input: { kind: "constant", value: {} } },
      ]);
      expect(lines.filter((line) => line.startsWith("RescoringSchedule"))).toEqual([]);
      expect(banner).toMatch(
        /nightly rescoring: state machine tailor-rescore runs at cron\(0 3 \* \* \? \*\) \(next \d{4}-\d\d-\d\d 03:00 UTC\); `npx tailor rescore` runs it now/,
      );
      expect(banner).toContain("Models     not served: tailor-churn-60d, tailor-purchase-30d");
      // ...and the segment jobs' rule, whose pattern names the rescoring state machine's ARN, runs locally
      expect(banner).toContain("tailor-segment-jobs ← events of tailor-segment-jobs-after-rescoring");
      expect(lines.filter((line) => line.startsWith("SegmentJobsAfterRescoring"))).toEqual([]);
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
