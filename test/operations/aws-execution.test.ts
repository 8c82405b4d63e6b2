import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { executionName, startAwsExecution, stateMachineArnOf } from "#cli/aws-execution.js";

const ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:TailorFanOut";
const sfn = mockClient(SFNClient);

afterEach(() => sfn.reset());

describe("starting a deployed workflow from the CLI", () => {
  it("names a run by its parts, within Step Functions' characters and length, the same for the same parts", () => {
    expect(executionName("campaign", "weekly-news", "2026-12-07T09:00:00Z")).toBe(
      "campaign-weekly-news-2026-12-07T09-00-00Z",
    );
    const long = executionName("campaign", "x".repeat(120), "2026-12-07T09:00:00Z");
    expect(long).toHaveLength(80);
    expect(long).toMatch(/^[0-9A-Za-z_-]+$/);
    expect(executionName("campaign", "x".repeat(120), "2026-12-07T09:00:00Z")).toBe(long);
    expect(executionName("campaign", "x".repeat(120), "2026-12-08T09:00:00Z")).not.toBe(long);
  });

  it("starts the state machine in its own region with the name and input", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run-1`, startDate: new Date() });
    const execution = await startAwsExecution({
      stateMachineArn: ARN,
      name: "run-1",
      input: { campaignId: "c" },
    });
    expect(execution).toEqual({ executionArn: `${ARN}:run-1`, started: true });
    const call = sfn.commandCalls(StartExecutionCommand)[0];
    expect(call?.args[0].input).toEqual({ stateMachineArn: ARN, name: "run-1", input: '{"campaignId":"c"}' });
    expect(await call?.thisValue.config.region()).toBe("eu-west-1");
  });

  it("does not start a name that already ran: it gives that execution back", async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: "Execution Already Exists", $metadata: {} }));
    const execution = await startAwsExecution({ stateMachineArn: ARN, name: "run-1", input: {} });
    expect(execution).toEqual({
      executionArn: "arn:aws:states:eu-west-1:123456789012:execution:TailorFanOut:run-1",
      started: false,
    });
  });

  it("says which output is missing from the outputs file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tailor-outputs-"));
    const file = join(dir, "cdk-outputs.json");
    await writeFile(file, JSON.stringify({ Tailor: { SegmentJobsStateMachineArn: "not-an-arn" } }));
    await expect(stateMachineArnOf(file, "Tailor", "SegmentJobsStateMachineArn")).rejects.toThrow(
      /no SegmentJobsStateMachineArn output/,
    );
    await writeFile(file, JSON.stringify({ Tailor: { SegmentJobsStateMachineArn: ARN } }));
    await expect(stateMachineArnOf(file, "Tailor", "SegmentJobsStateMachineArn")).resolves.toBe(ARN);
  });
});
