import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { awsSourceLines, deployedFunction, dryRunOnAws, workingTreeEnvironment } from "#cli/dry-run-aws.js";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { CAMPAIGNS_DIR, EMAILS_DIR } from "#infra/components/campaign-definitions.js";
import { TEMPLATES_FILE } from "#infra/components/dispatch.js";
import { SEGMENTS_DIR } from "#infra/components/segment-definitions.js";
import { repositoryRoot } from "#infra/local/function-env.js";
import { DRY_RUN_OUTPUTS } from "#infra/stack-output-names.js";
import { dispatchTestEnv } from "../support/dispatch-env.js";

const lambda = mockClient(LambdaClient);
const dynamodb = mockClient(DynamoDBClient);
const REGION = "eu-west-3";
const READ_COMMANDS = new Set(["GetItemCommand", "QueryCommand", "ScanCommand", "BatchGetItemCommand"]);
const arn = (name: string) => `arn:aws:lambda:${REGION}:123456789012:function:${name}`;

let dir: string;
const regionBefore = process.env.AWS_REGION;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tailor-dry-run-aws-test-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (regionBefore === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = regionBefore;
});
afterEach(() => {
  lambda.reset();
  dynamodb.reset();
});

/**
 * The dispatch function's environment as deployed: bundle-relative folders and templates file, deployed table
 * names, Lambda's runtime options. The link secret stays a file (a deployed stack names an ARN) to keep the
 * test offline; an absolute path is kept as it is.
 */
async function deployedDispatch(): Promise<Record<string, string>> {
  const env = await dispatchTestEnv(dir, {
    profiles: "Tailor-Profiles-1A2B",
    ledger: "Tailor-Ledger-3C4D",
    timers: "Tailor-Timers-5E6F",
    catalog: "Tailor-Catalog-9I0J",
  });
  return {
    ...env,
    SEGMENTS_TABLE: "Tailor-Segments-7G8H",
    SEGMENTS_DIR,
    CAMPAIGNS_DIR,
    EMAILS_DIR,
    TEMPLATES_FILE,
    NODE_OPTIONS: "--enable-source-maps",
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: "1",
  };
}

function deployedFanOut(): Record<string, string> {
  return {
    PROFILES_TABLE: "Tailor-Profiles-1A2B",
    SEGMENTS_TABLE: "Tailor-Segments-7G8H",
    SEGMENTS_DIR,
    TIMERS_TABLE: "Tailor-Timers-5E6F",
    CAMPAIGNS_DIR,
    EMAILS_DIR,
    SENDS_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/123456789012/sends`,
    FANOUT_PROFILES_PER_PART: "100000",
    FANOUT_MAX_PARTS: "1000",
    FANOUT_PART_BUDGET_SECONDS: "240",
    FANOUT_PAGE_SIZE: "500",
    POWERTOOLS_SERVICE_NAME: "campaign-fanout",
    POWERTOOLS_METRICS_NAMESPACE: "Tailor",
  };
}

function outputsFile(outputs: Record<string, string>): string {
  const file = path.join(dir, `outputs-${Object.keys(outputs).length}.json`);
  writeFileSync(file, JSON.stringify({ Tailor: outputs }));
  return file;
}

describe("the deployed functions' configuration", () => {
  it("is read with GetFunctionConfiguration: the environment, and the region from the ARN", async () => {
    // Prepare
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: "Tailor-Dispatch" })
      .resolves({ FunctionArn: arn("Tailor-Dispatch"), Environment: { Variables: { PROFILES_TABLE: "P" } } });

    // Act
    const found = await deployedFunction(new LambdaClient({ region: REGION }), "Tailor-Dispatch");

    // Assess
    expect(found).toEqual({ name: "Tailor-Dispatch", region: REGION, variables: { PROFILES_TABLE: "P" } });
  });

  it("a refused read names the function and the permission; an unreadable environment says why", async () => {
    // Prepare
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: "Denied" })
      .rejects(new Error("User is not authorized"));
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: "Broken" }).resolves({
      FunctionArn: arn("Broken"),
      Environment: { Error: { ErrorCode: "KMSAccessDenied", Message: "KMS key access denied" } },
    });
    const client = new LambdaClient({ region: REGION });

    // Act / Assess
    await expect(deployedFunction(client, "Denied")).rejects.toThrow(
      /GetFunctionConfiguration of Denied failed \(your credentials need lambda:GetFunctionConfiguration\): User is not authorized/,
    );
    await expect(deployedFunction(client, "Broken")).rejects.toThrow(
      "Broken's environment cannot be read: KMS key access denied",
    );
  });
});

describe("a deployed environment on the working tree", () => {
  it("keeps the deployed tables and settings, takes the definitions and templates from the working tree", async () => {
    // Prepare
    const deployed = await deployedDispatch();

    // Act
    const { env, fromWorkingTree } = workingTreeEnvironment(deployed, {
      root: "/home/ops/tailor",
      templatesFile: "/tmp/x/compiled-templates.json",
    });

    // Assess
    expect(fromWorkingTree).toEqual({
      SEGMENTS_DIR: "/home/ops/tailor/templates/segments",
      CAMPAIGNS_DIR: "/home/ops/tailor/templates/campaigns",
      EMAILS_DIR: "/home/ops/tailor/templates/emails",
      TEMPLATES_FILE: "/tmp/x/compiled-templates.json",
    });
    expect(env).not.toHaveProperty("NODE_OPTIONS");
    expect(env).not.toHaveProperty("AWS_NODEJS_CONNECTION_REUSE_ENABLED");
    expect(env.PROFILES_TABLE).toBe("Tailor-Profiles-1A2B");
    expect(env.LINK_SECRET_FILE).toBe(deployed.LINK_SECRET_FILE);
    expect(dispatchEnvSchema.safeParse(env).success).toBe(true);
  });
});

describe("tailor campaign dry-run --outputs", () => {
  it("reads the deployed tables named by the functions' configuration, with the working tree's definitions, and writes nothing", async () => {
    // Prepare
    const file = outputsFile({
      [DRY_RUN_OUTPUTS.dispatchFunction]: "Tailor-Dispatch",
      [DRY_RUN_OUTPUTS.fanOutPartFunction]: "Tailor-FanOutPart",
    });
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: "Tailor-Dispatch" }).resolves({
      FunctionArn: arn("Tailor-Dispatch"),
      Environment: { Variables: await deployedDispatch() },
    });
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: "Tailor-FanOutPart" }).resolves({
      FunctionArn: arn("Tailor-FanOutPart"),
      Environment: { Variables: deployedFanOut() },
    });
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    dynamodb.on(ScanCommand).resolves({ Items: [] });

    // Act
    const result = await dryRunOnAws(
      { outputsFile: file, stackName: "Tailor", lambda: new LambdaClient({ region: REGION }) },
      { campaignId: "newsletter", at: Date.parse("2026-12-07T09:00:00Z") },
    );

    // Assess: the deployed tables, in the function's region
    expect(result.region).toBe(REGION);
    expect(process.env.AWS_REGION).toBe(REGION);
    const tables = dynamodb.calls().map((call) => {
      const input: unknown = call.args[0].input;
      return typeof input === "object" && input !== null && "TableName" in input
        ? input.TableName
        : undefined;
    });
    expect(tables).toContain("Tailor-Profiles-1A2B");
    // Assess: reads only (the profiles scanned, as the fan-out would without a rebuilt index)
    const commands = dynamodb.calls().map((call) => call.args[0].constructor.name);
    expect(commands).toContain("ScanCommand");
    expect(commands.filter((name) => !READ_COMMANDS.has(name))).toEqual([]);
    expect(result.answer.kind).toBe("tick");
    if (result.answer.kind === "tick") {
      expect(result.answer.report).toMatchObject({ source: "scan", read: 0, wouldSend: 0 });
    }
    // Assess: it says where it read what
    const lines = awsSourceLines(result, repositoryRoot).join("\n");
    expect(lines).toContain(`on AWS (${REGION})`);
    expect(lines).toContain("CAMPAIGNS_DIR=templates/campaigns");
    expect(lines).toContain("not the deployed bundle");
  });

  it("an outputs file without the functions' outputs says how to deploy them", async () => {
    // Prepare
    const file = outputsFile({ ApiUrl: "https://x" });

    // Act / Assess
    await expect(
      dryRunOnAws(
        { outputsFile: file, stackName: "Tailor", lambda: new LambdaClient({ region: REGION }) },
        { campaignId: "newsletter", at: 0 },
      ),
    ).rejects.toThrow(`no ${DRY_RUN_OUTPUTS.dispatchFunction} output`);
    expect(lambda.calls()).toHaveLength(0);
  });
});
