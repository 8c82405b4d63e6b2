import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { finishedLines, trainOnAws, wantsAws } from "#cli/train-aws.js";
import { MODEL_OUTPUTS } from "#infra/stack-output-names.js";

const machineArn = "arn:aws:states:eu-west-1:123456789012:stateMachine:Training";
const executionArn = "arn:aws:states:eu-west-1:123456789012:execution:Training:run-1";

function outputsFile(outputs: Record<string, string>): string {
  const file = join(mkdtempSync(join(tmpdir(), "train-aws-")), "cdk-outputs.json");
  writeFileSync(file, JSON.stringify({ Tailor: outputs }));
  return file;
}

describe("tailor train --aws", () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());

  it("GIVEN the outputs file WHEN run THEN starts the stack's workflow with the cut-off and prints the execution", async () => {
    // GIVEN
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const file = outputsFile({ [MODEL_OUTPUTS.trainingStateMachineArn]: machineArn });
    let printed = "";
    // WHEN
    const code = await trainOnAws(["--aws", "--outputs", file, "--cutoff", "2026-11-01"], {
      client: new SFNClient({ region: "eu-west-1" }),
      write: (text) => {
        printed += text;
      },
    });
    // THEN
    expect(code).toBe(0);
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.stateMachineArn).toBe(machineArn);
    expect(JSON.parse(calls[0]?.args[0].input.input ?? "{}")).toEqual({
      trigger: "cli",
      cutoff: "2026-11-01",
    });
    expect(printed).toContain(`training workflow started: ${executionArn}`);
    expect(printed).toContain("region=eu-west-1");
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it("GIVEN --wait WHEN the run fails after running THEN follows it, prints why and exits 1", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING", executionArn, stateMachineArn: machineArn, startDate: new Date() })
      .resolves({
        status: "FAILED",
        cause: "EndpointRolloutFailed",
        executionArn,
        stateMachineArn: machineArn,
        startDate: new Date(),
      });
    const file = outputsFile({ [MODEL_OUTPUTS.trainingStateMachineArn]: machineArn });
    let printed = "";
    let slept = 0;
    const code = await trainOnAws(["--aws", "--outputs", file, "--wait"], {
      client: new SFNClient({ region: "eu-west-1" }),
      sleep: async () => {
        slept++;
      },
      write: (text) => {
        printed += text;
      },
    });
    expect(code).toBe(1);
    expect(slept).toBe(1);
    expect(printed).toContain("training workflow failed: EndpointRolloutFailed");
  });

  it("GIVEN an outputs file without the workflow THEN says how to deploy, and refuses a bad cut-off", async () => {
    const file = outputsFile({ ApiUrl: "https://x" });
    const client = new SFNClient({ region: "eu-west-1" });
    await expect(trainOnAws(["--aws", "--outputs", file], { client })).rejects.toThrow(
      /no ModelTrainingStateMachineArn output — deploy with: npx cdk deploy --outputs-file/,
    );
    await expect(
      trainOnAws(["--aws", "--outputs", file, "--cutoff", "last week"], { client }),
    ).rejects.toThrow(/--cutoff: an ISO date/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(wantsAws(["--customers", "40"])).toBe(false);
  });

  it("prints each model's decision of a run that succeeded", () => {
    const output = JSON.stringify({
      results: [
        {
          model: "purchase_30d",
          candidate: { version: "v7" },
          evaluation: { promote: true, reason: "beats v6" },
        },
        {
          model: "churn_60d",
          candidate: { version: "v7" },
          evaluation: { promote: false, reason: "worse AUC" },
        },
      ],
    });
    expect(finishedLines("SUCCEEDED", output, undefined)).toEqual([
      "training workflow succeeded",
      "  purchase_30d v7 promoted: beats v6",
      "  churn_60d v7 not promoted: worse AUC",
    ]);
  });
});
