import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { SCORE_DRIFT_THRESHOLD } from "#infra/components/model-drift.js";
import { DEFAULT_TRAIN_SCHEDULE, resolveModelSettings } from "#infra/components/model-settings.js";
import { XGBOOST_IMAGE_TAG, xgboostImageUri } from "#infra/components/xgboost-image.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { MODEL_OUTPUTS } from "#infra/stack-output-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "./shared-app.js";
import { definitionOf, logicalIdOf, type Statement, statementsOf, stateSchema } from "./template-queries.js";

const models = ["purchase_30d", "churn_60d"];
const artifacts = {
  purchase_30d: "models/purchase_30d/v1/model.tar.gz",
  churn_60d: "models/churn_60d/v1/model.tar.gz",
};

/** Every resource ARN text of `statements` granting `action`. */
function resourcesFor(statements: readonly Statement[], action: string): string[] {
  return statements
    .filter((s) => s.Effect === "Allow" && s.Action.includes(action))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => JSON.stringify(r));
}

const mapSchema = z.looseObject({
  ItemProcessor: z.looseObject({ StartAt: z.string(), States: z.record(z.string(), stateSchema) }),
});

describe("models on AWS: the default stack (endpoints existing)", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (modelHosting existing, the default)
    ({ stack, template } = defaultApp());
  });

  it("keeps the registry in a private, versioned, KMS-encrypted bucket the outputs name", () => {
    const bucket = logicalIdOf(stack.models.bucket);
    template.hasResource("AWS::S3::Bucket", {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: "Enabled" },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: "aws:kms" }),
            }),
          ],
        },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicAcls: true,
          RestrictPublicBuckets: true,
        }),
        Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.modelBucket }]),
      }),
    });
    expect(template.toJSON().Outputs[MODEL_OUTPUTS.bucket].Value).toEqual({ Ref: bucket });
    expect(template.toJSON().Outputs[MODEL_OUTPUTS.trainingStateMachineArn].Value).toEqual({
      Ref: logicalIdOf(stack.modelTraining.stateMachine),
    });
  });

  it("runs BuildFeatures → a Map over the models of TrainCandidate → EvaluateCandidate → RecordDecision, each retried", () => {
    const definition = definitionOf(template, stack.modelTraining.stateMachine);
    const fn = `arn:${logicalIdOf(stack.modelTraining.function)}`;
    expect(definition.StartAt).toBe("Start");
    expect(definition.States.Start).toMatchObject({
      Type: "Pass",
      Result: "buildFeatures",
      ResultPath: "$.action",
    });
    expect(definition.States.BuildFeatures).toMatchObject({
      Type: "Task",
      Resource: fn,
      ResultPath: "$.features",
    });
    expect(definition.States.ListModels).toMatchObject({
      Result: [
        { model: "purchase_30d", managed: false },
        { model: "churn_60d", managed: false },
      ],
    });
    const map = definition.States.Models;
    expect(map).toMatchObject({ Type: "Map", ItemsPath: "$.models", MaxConcurrency: 3, End: true });
    const inner = mapSchema.parse(map).ItemProcessor;
    expect(inner.StartAt).toBe("TrainCandidate");
    // No endpoint is managed: no SageMaker step, so the local stack runs the whole definition.
    expect(Object.keys(inner.States).sort()).toEqual([
      "EvaluateCandidate",
      "RecordDecision",
      "TrainCandidate",
    ]);
    expect(inner.States.TrainCandidate).toMatchObject({
      Resource: fn,
      Parameters: {
        action: "trainCandidate",
        "model.$": "$.model",
        "trainKey.$": "$.features.trainKey",
        "validationKey.$": "$.features.validationKey",
      },
      Next: "EvaluateCandidate",
    });
    expect(inner.States.EvaluateCandidate).toMatchObject({
      Parameters: { action: "evaluateCandidate", "holdoutKey.$": "$.features.holdoutKey" },
      Next: "RecordDecision",
    });
    expect(inner.States.RecordDecision).toMatchObject({
      Parameters: { action: "recordDecision", "promote.$": "$.evaluation.promote" },
      End: true,
    });
    for (const state of [definition.States.BuildFeatures, ...Object.values(inner.States)]) {
      expect(state).toMatchObject({
        Retry: expect.arrayContaining([
          expect.objectContaining({ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 2 }),
        ]),
      });
    }
  });

  it("starts on the weekly schedule and when a drift alarm goes to ALARM, each start with a dead-letter queue", () => {
    const machine = logicalIdOf(stack.modelTraining.stateMachine);
    const target = Match.objectLike({
      Arn: { Ref: machine },
      DeadLetterConfig: {
        Arn: { "Fn::GetAtt": [logicalIdOf(stack.modelTraining.startDeadLetterQueue), "Arn"] },
      },
      RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: DEFAULT_TRAIN_SCHEDULE,
      Targets: [Match.objectLike({ Arn: { Ref: machine }, Input: JSON.stringify({ trigger: "schedule" }) })],
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: DEFAULT_TRAIN_SCHEDULE,
      Targets: [target],
    });
    const alarms = Object.values(stack.modelDrift.alarms).map((alarm) => ({
      "Fn::GetAtt": [logicalIdOf(alarm), "Arn"],
    }));
    expect(alarms).toHaveLength(2);
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        resources: alarms,
        detail: { state: { value: ["ALARM"] } },
      },
      Targets: [Match.objectLike({ Input: JSON.stringify({ trigger: "drift" }) })],
    });
  });

  it("alarms per scoring model when its nightly population stability passes 0.25, on the alarm topic", () => {
    expect(SCORE_DRIFT_THRESHOLD).toBe(0.25);
    for (const model of models) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ScoreDrift",
        Namespace: "Tailor",
        Dimensions: Match.arrayWith([
          { Name: "model", Value: model },
          { Name: "service", Value: "rescore" },
        ]),
        Statistic: "Maximum",
        Period: 86400,
        Threshold: SCORE_DRIFT_THRESHOLD,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: logicalIdOf(stack.alarmTopic) }],
      });
    }
  });

  it("lets the training function read the archive's events, and put to models/ and training/ only", () => {
    const statements = statementsOf(template, stack.modelTraining.function.role);
    const archive = logicalIdOf(stack.archive.bucket);
    const bucket = logicalIdOf(stack.models.bucket);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith("s3:Delete"))).toEqual([]);
    expect(actions.filter((a) => a.startsWith("sagemaker:"))).toEqual([]);
    const objectResources = resourcesFor(statements, "s3:GetObject*").filter((r) => r.includes("/"));
    expect(objectResources.sort()).toEqual(
      [
        `{"Fn::Join":["",[{"Fn::GetAtt":["${archive}","Arn"]},"/events/*"]]}`,
        `{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/training/*"]]}`,
        `{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/models/*"]]}`,
      ].sort(),
    );
    expect(resourcesFor(statements, "s3:PutObject").sort()).toEqual(
      [
        `{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/training/*"]]}`,
        `{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/models/*"]]}`,
      ].sort(),
    );
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual([]);
  });

  it("deploys no SageMaker resource and gives the workflow no SageMaker action", () => {
    template.resourceCountIs("AWS::SageMaker::Endpoint", 0);
    template.resourceCountIs("AWS::SageMaker::Model", 0);
    const actions = statementsOf(template, stack.modelTraining.stateMachine.role).flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith("sagemaker:") || a === "iam:PassRole")).toEqual([]);
  });
});

describe("models on AWS: endpoints with the stack (modelHosting serverless, checked by cdk-nag)", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN serverless endpoints from first artifacts; WHEN synthesised with cdk-nag's checks (throws on a finding)
    ({ stack } = buildApp({
      settings: {
        ...LOCAL_STACK_SETTINGS,
        modelHosting: "serverless",
        modelServerlessMemoryMb: 3072,
        modelServerlessMaxConcurrency: 8,
        modelArtifacts: artifacts,
        trainSchedule: "rate(3 days)",
      },
      bundling: false,
      checks: true,
    }));
    template = Template.fromStack(stack);
  }, 600_000);

  it("deploys a model, a serverless endpoint config and the named endpoint per scoring model, from the registry", () => {
    template.resourceCountIs("AWS::SageMaker::Endpoint", 2);
    const bucket = logicalIdOf(stack.models.bucket);
    for (const [model, endpoint] of [
      ["purchase_30d", "tailor-purchase-30d"],
      ["churn_60d", "tailor-churn-60d"],
    ] as const) {
      template.hasResourceProperties("AWS::SageMaker::Endpoint", { EndpointName: endpoint });
      template.hasResourceProperties("AWS::SageMaker::Model", {
        PrimaryContainer: {
          Image: { "Fn::FindInMap": [Match.anyValue(), { Ref: "AWS::Region" }, "uri"] },
          ModelDataUrl: { "Fn::Join": ["", ["s3://", { Ref: bucket }, `/${artifacts[model]}`]] },
        },
      });
    }
    template.hasResourceProperties("AWS::SageMaker::EndpointConfig", {
      ProductionVariants: [
        Match.objectLike({
          VariantName: "AllTraffic",
          ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 8 },
        }),
      ],
    });
    // The image is the region's built-in XGBoost, from the table in code.
    const mappings = template.toJSON().Mappings;
    const mapping = Object.values<Record<string, { uri: string }>>(mappings)[0];
    expect(mapping?.["us-east-1"]?.uri).toBe(
      `683313688378.dkr.ecr.us-east-1.amazonaws.com/${XGBOOST_IMAGE_TAG}`,
    );
  });

  it("lets SageMaker's role read the model bucket's models/ prefix and nothing else of it", () => {
    const endpoints = stack.modelEndpoints;
    if (endpoints === undefined) throw new Error("no endpoints");
    const statements = statementsOf(template, endpoints.role);
    const bucket = logicalIdOf(stack.models.bucket);
    const objects = resourcesFor(statements, "s3:GetObject*").filter((r) => r.includes("/"));
    expect(objects).toEqual([`{"Fn::Join":["",[{"Fn::GetAtt":["${bucket}","Arn"]},"/models/*"]]}`]);
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("s3:Put"))).toEqual([]);
  });

  it("rolls a promoted model out: CreateModel → CreateEndpointConfig → UpdateEndpoint → wait until InService on it", () => {
    const definition = definitionOf(template, stack.modelTraining.stateMachine);
    const inner = mapSchema.parse(definition.States.Models).ItemProcessor.States;
    expect(inner.RecordDecision).toMatchObject({ Next: "RollOut?" });
    expect(inner["RollOut?"]).toMatchObject({
      Type: "Choice",
      Choices: [
        {
          And: [
            { Variable: "$.evaluation.promote", BooleanEquals: true },
            { Variable: "$.managed", BooleanEquals: true },
          ],
          Next: "RolloutNames",
        },
      ],
      Default: "ModelDone",
    });
    const sdk = (action: string) => expect.stringContaining(`:states:::aws-sdk:sagemaker:${action}`);
    expect(JSON.stringify(inner.CreateModel)).toEqual(sdk("createModel"));
    expect(inner.CreateModel).toMatchObject({
      Next: "CreateEndpointConfig",
      Retry: [
        { ErrorEquals: ["SageMaker.ValidationException"], MaxAttempts: 0 },
        { ErrorEquals: ["States.ALL"], MaxAttempts: 4 },
      ],
    });
    expect(inner.CreateEndpointConfig).toMatchObject({
      Parameters: {
        ProductionVariants: [{ ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 8 } }],
      },
      Next: "UpdateEndpoint",
    });
    expect(inner.UpdateEndpoint).toMatchObject({
      Parameters: { "EndpointName.$": "$.endpoint", "EndpointConfigName.$": "$.rollout.name" },
      Next: "WaitForEndpoint",
    });
    expect(inner.WaitForEndpoint).toMatchObject({ Type: "Wait", Next: "DescribeEndpoint" });
    expect(inner["EndpointUpdated?"]).toMatchObject({ Default: "WaitForEndpoint" });
    expect(inner.RolloutFailed).toMatchObject({ Type: "Fail", Error: "EndpointRolloutFailed" });
    expect(definition.States.ListModels).toMatchObject({
      Result: [
        { model: "purchase_30d", endpoint: "tailor-purchase-30d", managed: true },
        { model: "churn_60d", endpoint: "tailor-churn-60d", managed: true },
      ],
    });
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(3 days)" });
  });

  it("gives the workflow the four SageMaker actions on tailor-* and its endpoints only, and PassRole of SageMaker's role only", () => {
    const statements = statementsOf(template, stack.modelTraining.stateMachine.role);
    const sagemaker = [
      ...new Set(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("sagemaker:"))),
    ];
    expect(sagemaker.sort()).toEqual([
      "sagemaker:CreateEndpointConfig",
      "sagemaker:CreateModel",
      "sagemaker:DescribeEndpoint",
      "sagemaker:UpdateEndpoint",
    ]);
    for (const action of sagemaker) {
      for (const resource of resourcesFor(statements, action)) {
        expect(resource).toMatch(
          /:(model|endpoint-config)\/tailor-\*"|:endpoint\/tailor-(purchase-30d|churn-60d)"/,
        );
      }
    }
    const passRole = statements.filter((s) => s.Action.includes("iam:PassRole"));
    const role = stack.modelEndpoints?.role;
    if (role === undefined) throw new Error("no endpoints role");
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: { "Fn::GetAtt": [logicalIdOf(role), "Arn"] },
        Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      }),
    ]);
  });
});

describe("models on AWS: the settings", () => {
  const node = new App().node;

  it("defaults to existing endpoints and the weekly schedule; off turns the schedule off", () => {
    const settings = resolveModelSettings({}, node, models);
    expect(settings.capacity).toBeUndefined();
    expect(settings.trainSchedule).toBe(DEFAULT_TRAIN_SCHEDULE);
    expect(resolveModelSettings({ trainSchedule: "off" }, node, models).trainSchedule).toBeUndefined();
  });

  it("reads provisioned capacity from the context", () => {
    const app = new App({
      context: {
        modelHosting: "provisioned",
        modelInstanceCount: "2",
        modelArtifacts: JSON.stringify(artifacts),
      },
    });
    expect(resolveModelSettings({}, app.node, models).capacity).toEqual({
      kind: "provisioned",
      instanceType: "ml.m5.large",
      instanceCount: 2,
    });
  });

  it.each([
    [{ modelHosting: "docker" }, /modelHosting must be one of existing, serverless, provisioned/],
    [
      { modelHosting: "serverless", modelServerlessMemoryMb: 1500, modelArtifacts: artifacts },
      /modelServerlessMemoryMb .*steps of 1024/,
    ],
    [
      { modelHosting: "serverless", modelArtifacts: { purchase_30d: artifacts.purchase_30d } },
      /modelArtifacts .*missing: churn_60d/,
    ],
    [
      { modelHosting: "provisioned", modelInstanceType: "m5.large", modelArtifacts: artifacts },
      /modelInstanceType/,
    ],
    [
      { trainSchedule: "weekly" },
      /trainSchedule must be a cron\(\.\.\.\) or rate\(\.\.\.\) expression or off/,
    ],
    [{ modelImage: "xgboost:latest" }, /modelImage must be an ECR image URI/],
  ])("refuses %j naming the setting", (input, message) => {
    const app = new App({ context: input });
    expect(() => resolveModelSettings({}, app.node, models)).toThrow(InfraConfigError);
    expect(() => resolveModelSettings({}, app.node, models)).toThrow(message);
  });

  it("knows the built-in XGBoost image by region, and names modelImage for a region it does not know", () => {
    expect(xgboostImageUri("eu-west-1")).toBe(
      "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    );
    expect(xgboostImageUri("cn-north-1")).toBe(
      "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
    );
    expect(() => xgboostImageUri("xx-nowhere-1")).toThrow(/xx-nowhere-1: give its URI with -c modelImage=/);
  });
});
