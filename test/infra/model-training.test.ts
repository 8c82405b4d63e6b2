import { App } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import {
  DEFAULT_CALIBRATION_GAP_THRESHOLD,
  resolveCalibrationGapThreshold,
  SCORE_DRIFT_THRESHOLD,
} from "#infra/components/model-drift.js";
import { DEFAULT_TRAIN_SCHEDULE, resolveModelSettings } from "#infra/components/model-settings.js";
import { xgboostImageUri } from "#infra/components/xgboost-image.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { MODEL_OUTPUTS } from "#infra/stack-output-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { MODEL_ARTIFACTS, mapSchema, resourcesFor, SCORING_MODELS } from "./model-queries.js";
import { defaultApp } from "./shared-app.js";
import { definitionOf, logicalIdOf, statementsOf } from "./template-queries.js";

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
        { model: "purchase_30d", managed: false, environment: {} },
        { model: "churn_60d", managed: false, environment: {} },
        // The recommender is trained, evaluated and promoted in the same Map (script mode when rolled out).
        {
          model: "recommendations",
          managed: false,
          environment: {
            SAGEMAKER_PROGRAM: "inference.py",
            SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
          },
        },
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
    // One rule for every model alarm: score drift and live calibration, per model.
    const alarms = stack.modelDrift.all().map((alarm) => ({
      "Fn::GetAtt": [logicalIdOf(alarm), "Arn"],
    }));
    expect(alarms).toHaveLength(4);
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

  /** An alarm per model on rescoring's nightly `metric` above `threshold`, notifying the alarm topic. */
  const expectNightlyAlarms = (metric: string, threshold: number) => {
    for (const model of SCORING_MODELS) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: metric,
        Namespace: "Tailor",
        Dimensions: Match.arrayWith([
          { Name: "model", Value: model },
          { Name: "service", Value: "rescore" },
        ]),
        Statistic: "Maximum",
        Period: 86400,
        Threshold: threshold,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [{ Ref: logicalIdOf(stack.alarmTopic) }],
      });
    }
  };

  it("alarms per scoring model when its nightly population stability passes 0.25, on the alarm topic", () => {
    expect(SCORE_DRIFT_THRESHOLD).toBe(0.25);
    expectNightlyAlarms("ScoreDrift", SCORE_DRIFT_THRESHOLD);
  });

  it("alarms per propensity model when its live calibration gap passes 0.1 over a night, and starts training", () => {
    expect(stack.modelDrift.calibrationGapThreshold).toBe(DEFAULT_CALIBRATION_GAP_THRESHOLD);
    expect(DEFAULT_CALIBRATION_GAP_THRESHOLD).toBe(0.1);
    expect(Object.keys(stack.modelDrift.calibrationAlarms).sort()).toEqual([...SCORING_MODELS].sort());
    expectNightlyAlarms("CalibrationGap", 0.1);
    const rule = template.findResources("AWS::Events::Rule", {
      Properties: { EventPattern: Match.objectLike({ source: ["aws.cloudwatch"] }) },
    });
    expect(Object.keys(rule)).toHaveLength(1);
    const resources = JSON.stringify(Object.values(rule)[0]?.Properties.EventPattern.resources);
    for (const alarm of Object.values(stack.modelDrift.calibrationAlarms)) {
      expect(resources).toContain(logicalIdOf(alarm));
    }
  });

  it("refuses a calibration threshold that is not a gap in (0, 1), naming the setting", () => {
    const node = new App({ context: { calibrationGapThreshold: "0.05" } }).node;
    expect(resolveCalibrationGapThreshold(undefined, node)).toBe(0.05);
    for (const bad of ["0", "1.5", "-0.1", "ten"]) {
      const app = new App({ context: { calibrationGapThreshold: bad } });
      expect(() => resolveCalibrationGapThreshold(undefined, app.node)).toThrow(InfraConfigError);
      expect(() => resolveCalibrationGapThreshold(undefined, app.node)).toThrow(
        /calibrationGapThreshold: expected a gap above 0 and below 1, e\.g\. -c calibrationGapThreshold=0\.1/,
      );
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

describe("models on AWS: the settings", () => {
  const node = new App().node;

  it("defaults to existing endpoints and the weekly schedule; off turns the schedule off", () => {
    const settings = resolveModelSettings({}, node, SCORING_MODELS);
    expect(settings.capacity).toBeUndefined();
    expect(settings.trainSchedule).toBe(DEFAULT_TRAIN_SCHEDULE);
    expect(
      resolveModelSettings({ trainSchedule: "off" }, node, SCORING_MODELS).trainSchedule,
    ).toBeUndefined();
  });

  it("reads provisioned capacity from the context", () => {
    const app = new App({
      context: {
        modelHosting: "provisioned",
        modelInstanceCount: "2",
        modelArtifacts: JSON.stringify(MODEL_ARTIFACTS),
      },
    });
    expect(resolveModelSettings({}, app.node, SCORING_MODELS).capacity).toEqual({
      kind: "provisioned",
      instanceType: "ml.m5.large",
      instanceCount: 2,
    });
  });

  it.each([
    [{ modelHosting: "docker" }, /modelHosting must be one of existing, serverless, provisioned/],
    [
      { modelHosting: "serverless", modelServerlessMemoryMb: 1500, modelArtifacts: MODEL_ARTIFACTS },
      /modelServerlessMemoryMb .*steps of 1024/,
    ],
    [
      { modelHosting: "serverless", modelArtifacts: { purchase_30d: MODEL_ARTIFACTS.purchase_30d } },
      /modelArtifacts .*missing: churn_60d/,
    ],
    [
      { modelHosting: "provisioned", modelInstanceType: "m5.large", modelArtifacts: MODEL_ARTIFACTS },
      /modelInstanceType/,
    ],
    [
      { trainSchedule: "weekly" },
      /trainSchedule must be a cron\(\.\.\.\) or rate\(\.\.\.\) expression or off/,
    ],
    [{ modelImage: "xgboost:latest" }, /modelImage must be an ECR image URI/],
  ])("refuses %j naming the setting", (input, message) => {
    const app = new App({ context: input });
    expect(() => resolveModelSettings({}, app.node, SCORING_MODELS)).toThrow(InfraConfigError);
    expect(() => resolveModelSettings({}, app.node, SCORING_MODELS)).toThrow(message);
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
