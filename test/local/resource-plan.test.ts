import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type ResolveContext, resolveString } from "#infra/local/cfn-intrinsics.js";
import { TemplateError } from "#infra/local/local-errors.js";
import { planResources } from "#infra/local/resource-plan.js";

/** A template as `synthTemplate()` gives it (trimmed), plus a few more intrinsics. */
const template: unknown = JSON.parse(
  readFileSync(new URL("./fixtures/template.json", import.meta.url), "utf8"),
);
const options = { region: "us-east-1", accountId: "000000000000", sqsEndpoint: "http://127.0.0.1:4566" };

describe("planResources", () => {
  it("creates each tagged stateful resource under its tailor:local-name, and leaves untagged ones out", () => {
    const plan = planResources(template, options);
    expect(plan.streams).toEqual([
      {
        logicalId: "EventsStreamA348795C",
        name: "tailor-events",
        arn: "arn:aws:kinesis:us-east-1:000000000000:stream/tailor-events",
        shardCount: 1,
      },
    ]);
    expect(plan.buckets.map((b) => b.name)).toEqual(["tailor-quarantine"]);
    expect(plan.queues).toEqual([
      {
        logicalId: "IngestDeadLettersQueue860F4B3A",
        name: "tailor-ingest-dlq",
        arn: "arn:aws:sqs:us-east-1:000000000000:tailor-ingest-dlq",
        url: "http://127.0.0.1:4566/000000000000/tailor-ingest-dlq",
        attributes: { MessageRetentionPeriod: "1209600" },
      },
    ]);
    expect(plan.functions.map((f) => f.name)).toEqual(["tailor-ingest"]);
    expect(plan.notes.join("\n")).toContain(
      "QuarantineAccessLogs84991D9F (AWS::S3::Bucket) has no tailor:local-name",
    );
    expect(plan.names).toEqual({
      EventsStreamA348795C: "tailor-events",
      ProfilesTable43079065: "tailor-profiles",
      QuarantineBucket2B128B57: "tailor-quarantine",
      IngestFunction6154D3E2: "tailor-ingest",
      IngestDeadLettersQueue860F4B3A: "tailor-ingest-dlq",
    });
  });

  it("turns the table's keys, attributes and billing mode into a CreateTable request", () => {
    const [table] = planResources(template, options).tables;
    expect(table?.input).toEqual({
      TableName: "tailor-profiles",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    });
  });

  it("refuses, naming the resource and the property, what the app never declares and the local stack does not do", () => {
    const table = (extra: Record<string, unknown>) => ({
      Resources: {
        Table: {
          Type: "AWS::DynamoDB::Table",
          Properties: {
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            BillingMode: "PAY_PER_REQUEST",
            Tags: [{ Key: "tailor:local-name", Value: "t" }],
            ...extra,
          },
        },
      },
    });
    const index = { IndexName: "i", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] };
    expect(() => planResources(table({}), options)).not.toThrow();
    // A global index is created locally (dynalite answers Query on it); one without its projection is refused
    expect(() => planResources(table({ GlobalSecondaryIndexes: [index] }), options)).toThrow(
      /Table \(AWS::DynamoDB::Table\).*GlobalSecondaryIndexes/s,
    );
    const projected = { ...index, Projection: { ProjectionType: "KEYS_ONLY" } };
    const withIndex = planResources(table({ GlobalSecondaryIndexes: [projected] }), options);
    expect(withIndex.tables[0]?.input.GlobalSecondaryIndexes).toEqual([projected]);
    expect(() => planResources(table({ LocalSecondaryIndexes: [index] }), options)).toThrow(
      /LocalSecondaryIndexes is not supported/,
    );
    expect(() => planResources(table({ BillingMode: "PROVISIONED" }), options)).toThrow(/BillingMode/);
    const fifo = {
      Resources: {
        Queue: {
          Type: "AWS::SQS::Queue",
          Properties: { FifoQueue: true, Tags: [{ Key: "tailor:local-name", Value: "q" }] },
        },
      },
    };
    const inputPath = {
      Resources: {
        Rule: {
          Type: "AWS::Events::Rule",
          Properties: {
            ScheduleExpression: "rate(1 day)",
            Targets: [{ Id: "T", Arn: "x", InputPath: "$.detail" }],
          },
        },
      },
    };
    expect(() => planResources(inputPath, options)).toThrow(
      /Rule \(AWS::Events::Rule\).*InputPath is not supported/s,
    );
    expect(() => planResources(fifo, options)).toThrow(
      /Queue \(AWS::SQS::Queue\).*FifoQueue is not supported/s,
    );
  });

  it("resolves each function's environment: Ref → local name (a queue's URL), GetAtt → local ARN, literals as is", () => {
    const [ingest] = planResources(template, options).functions;
    expect(ingest).toMatchObject({ memorySize: 1024, timeoutSeconds: 60 });
    expect(ingest?.environment).toEqual({
      PROFILES_TABLE: "tailor-profiles",
      QUARANTINE_BUCKET: "tailor-quarantine",
      POWERTOOLS_SERVICE_NAME: "ingest",
      POWERTOOLS_METRICS_NAMESPACE: "Tailor",
      NODE_OPTIONS: "--enable-source-maps",
      DEAD_LETTER_QUEUE_URL: "http://127.0.0.1:4566/000000000000/tailor-ingest-dlq",
      DEAD_LETTER_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:tailor-ingest-dlq",
      EVENTS_STREAM_ARN: "arn:aws:kinesis:us-east-1:000000000000:stream/tailor-events",
      PROFILES_INDEX_ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/tailor-profiles/index/by-email",
      REGION_AND_BUCKET: "us-east-1/tailor-quarantine",
    });
  });

  it("reads the Kinesis event source mapping's settings and on-failure queue exactly", () => {
    const [mapping] = planResources(template, options).kinesisMappings;
    expect(mapping).toMatchObject({
      functionName: "tailor-ingest",
      streamName: "tailor-events",
      streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/tailor-events",
      onFailure: { name: "tailor-ingest-dlq" },
      settings: {
        batchSize: 100,
        maximumBatchingWindowInSeconds: 1,
        startingPosition: "TRIM_HORIZON",
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 5,
        maximumRecordAgeInSeconds: 86400,
        reportBatchItemFailures: true,
      },
    });
  });

  it("applies Lambda's defaults to settings the mapping leaves out", () => {
    const resources = {
      Stream: {
        Type: "AWS::Kinesis::Stream",
        Properties: { Tags: [{ Key: "tailor:local-name", Value: "s-1" }] },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Tags: [{ Key: "tailor:local-name", Value: "f-1" }] },
      },
      Map: {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: {
          EventSourceArn: { "Fn::GetAtt": ["Stream", "Arn"] },
          FunctionName: { Ref: "Fn" },
          StartingPosition: "LATEST",
        },
      },
    };
    const plan = planResources({ Resources: resources }, options);
    expect(plan.streams[0]?.shardCount).toBe(4);
    expect(plan.kinesisMappings[0]?.settings).toEqual({
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      startingPosition: "LATEST",
      startingPositionTimestamp: undefined,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      reportBatchItemFailures: false,
    });
    expect(plan.kinesisMappings[0]?.onFailure).toBeUndefined();
  });

  it("names the resource and variable it cannot resolve", () => {
    const broken = {
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Tags: [{ Key: "tailor:local-name", Value: "f-1" }],
            Environment: { Variables: { TABLE: { Ref: "Missing" } } },
          },
        },
      },
    };
    expect(() => planResources(broken, options)).toThrow(TemplateError);
    expect(() => planResources(broken, options)).toThrow(
      /Fn Environment\.Variables\.TABLE: Ref to unknown "Missing"/,
    );
    expect(() => planResources({ Outputs: {} }, options)).toThrow(/not a CloudFormation template/);
  });
});

describe("resolveString", () => {
  const ctx: ResolveContext = {
    region: "us-east-1",
    accountId: "000000000000",
    stackName: "tailor",
    parameters: { Stage: "dev" },
    ref: (id) => (id === "Table" ? "tailor-profiles" : undefined),
    getAtt: (id, attribute) => (id === "Table" && attribute === "Arn" ? "arn:table" : undefined),
  };

  it("handles Sub with pseudo parameters, resource attributes, its own variables and escapes", () => {
    expect(
      resolveString(
        {
          "Fn::Sub": [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
            "${AWS::Region}:${Table}:${Table.Arn}:${Stage}:${X}:${!Literal}",
            { X: { Ref: "Table" } },
          ],
        },
        ctx,
        "t",
      ),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an escaped Fn::Sub placeholder stays literal
    ).toBe("us-east-1:tailor-profiles:arn:table:dev:tailor-profiles:${Literal}");
  });

  it("handles Join, and rejects what it does not know (Select and Split too: the app's template has none)", () => {
    expect(() => resolveString({ "Fn::Select": [1, ["a", "b"]] }, ctx, "t")).toThrow(
      "t: Fn::Select is not supported by the local stack",
    );
    expect(resolveString({ "Fn::Join": ["-", ["a", { Ref: "AWS::AccountId" }]] }, ctx, "t")).toBe(
      "a-000000000000",
    );
    expect(() => resolveString({ "Fn::ImportValue": "x" }, ctx, "where")).toThrow(
      /where: Fn::ImportValue is not supported/,
    );
    expect(() => resolveString({ "Fn::GetAtt": ["Table", "StreamArn"] }, ctx, "w")).toThrow(
      /Table\.StreamArn/,
    );
  });
});
