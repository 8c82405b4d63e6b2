import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "#infra/app.js";
import { XGBOOST_IMAGE_TAG } from "#infra/components/xgboost-image.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { MODEL_ARTIFACTS, mapSchema, resourcesFor } from "#test/infra/model-queries.js";
import { definitionOf, logicalIdOf, statementsOf } from "#test/infra/template-queries.js";

describe("models on AWS: endpoints with the stack (modelHosting serverless, checked by cdk-nag)", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN serverless endpoints from first MODEL_ARTIFACTS; WHEN synthesised with cdk-nag's checks (throws on a finding)
    ({ stack } = buildApp({
      settings: {
        ...LOCAL_STACK_SETTINGS,
        modelHosting: "serverless",
        modelServerlessMemoryMb: 3072,
        modelServerlessMaxConcurrency: 8,
        rescoreConcurrency: 8,
        modelArtifacts: MODEL_ARTIFACTS,
        trainSchedule: "rate(3 days)",
      },
      bundling: false,
      checks: true,
    }));
    template = Template.fromStack(stack);
  }, 600_000);

  it("rescores as many slices at once as the endpoints serve, and refuses more at synth", () => {
    // THEN the Slices map runs 8 at once, as many as each serverless endpoint serves
    expect(definitionOf(template, stack.rescoring.stateMachine).States.Slices).toMatchObject({
      MaxConcurrency: 8,
    });
    // WHEN one more slice at once than the endpoints serve is asked
    const tooMany = () =>
      buildApp({
        settings: {
          ...LOCAL_STACK_SETTINGS,
          modelHosting: "serverless",
          modelServerlessMaxConcurrency: 8,
          rescoreConcurrency: 9,
          modelArtifacts: MODEL_ARTIFACTS,
        },
        bundling: false,
        checks: false,
      });
    // THEN synth stops, naming both settings
    expect(tooMany).toThrow(/rescoreConcurrency \(9\) exceeds modelServerlessMaxConcurrency \(8\)/);
  });

  it("deploys a model, a serverless endpoint config and the named endpoint per scoring model, from the registry", () => {
    template.resourceCountIs("AWS::SageMaker::Endpoint", 3);
    const bucket = logicalIdOf(stack.models.bucket);
    for (const [model, endpoint] of [
      ["purchase_30d", "tailor-purchase-30d"],
      ["churn_60d", "tailor-churn-60d"],
    ] as const) {
      template.hasResourceProperties("AWS::SageMaker::Endpoint", { EndpointName: endpoint });
      template.hasResourceProperties("AWS::SageMaker::Model", {
        PrimaryContainer: {
          Image: { "Fn::FindInMap": [Match.anyValue(), { Ref: "AWS::Region" }, "uri"] },
          ModelDataUrl: { "Fn::Join": ["", ["s3://", { Ref: bucket }, `/${MODEL_ARTIFACTS[model]}`]] },
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
    // The scoring models run the built-in XGBoost handler: no script-mode environment.
    const models = Object.values(template.findResources("AWS::SageMaker::Model"));
    const environments = models.map((m) =>
      JSON.stringify(m.Properties?.PrimaryContainer?.Environment ?? null),
    );
    expect(environments.filter((e) => e === "null")).toHaveLength(2);
    // The image is the region's built-in XGBoost, from the table in code.
    const mappings = template.toJSON().Mappings;
    const mapping = Object.values<Record<string, { uri: string }>>(mappings)[0];
    expect(mapping?.["us-east-1"]?.uri).toBe(
      `683313688378.dkr.ecr.us-east-1.amazonaws.com/${XGBOOST_IMAGE_TAG}`,
    );
  });

  it("deploys the recommender without a Docker build: the same image in script mode, its archive's code/inference.py", () => {
    const bucket = logicalIdOf(stack.models.bucket);
    template.hasResourceProperties("AWS::SageMaker::Endpoint", { EndpointName: "tailor-recommendations" });
    template.hasResourceProperties("AWS::SageMaker::Model", {
      PrimaryContainer: {
        Image: { "Fn::FindInMap": [Match.anyValue(), { Ref: "AWS::Region" }, "uri"] },
        ModelDataUrl: {
          "Fn::Join": ["", ["s3://", { Ref: bucket }, `/${MODEL_ARTIFACTS.recommendations}`]],
        },
        Environment: { SAGEMAKER_PROGRAM: "inference.py", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" },
      },
      Tags: [{ Key: "tailor:model", Value: "recommendations" }],
    });
    // Dispatch and the API invoke the endpoint the stack deploys.
    const endpointArn = /endpoint\/tailor-recommendations/;
    for (const fn of [stack.dispatch.function, stack.api.function]) {
      if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
      const invoke = resourcesFor(statementsOf(template, fn.role), "sagemaker:InvokeEndpoint");
      expect(invoke.some((r) => endpointArn.test(r))).toBe(true);
    }
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
    // Each model's container environment from its Map item: script mode for the recommender, none for XGBoost.
    expect(inner.CreateModel).toMatchObject({
      Parameters: { PrimaryContainer: { "Environment.$": "$.environment" } },
    });
    expect(mapSchema.parse(definition.States.Models)).toMatchObject({
      ItemSelector: { "environment.$": "$$.Map.Item.Value.environment" },
    });
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
        { model: "purchase_30d", endpoint: "tailor-purchase-30d", managed: true, environment: {} },
        { model: "churn_60d", endpoint: "tailor-churn-60d", managed: true, environment: {} },
        {
          model: "recommendations",
          endpoint: "tailor-recommendations",
          managed: true,
          environment: {
            SAGEMAKER_PROGRAM: "inference.py",
            SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
          },
        },
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
          /:(model|endpoint-config)\/tailor-\*"|:endpoint\/tailor-(purchase-30d|churn-60d|recommendations)"/,
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
