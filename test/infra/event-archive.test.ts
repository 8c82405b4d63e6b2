import { App } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_PARTITION_TEMPLATE, archiveLifecycleRule } from "#infra/components/event-archive.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { resolveRetentionSettings } from "#infra/components/retention-settings.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { ARCHIVE_OUTPUTS } from "#infra/stack-output-names.js";
import { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, logicalIdOf, statementsOf } from "./template-queries.js";

const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

describe("the raw event archive", () => {
  let stack: TailorStack;
  let template: Template;
  let ids: { bucket: string; key: string; stream: string; streamKey: string; fn: string; delivery: string };

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (LOCAL_STACK_SETTINGS, no archive setting)
    ({ stack, template } = defaultApp());
    ids = {
      bucket: logicalIdOf(stack.archive.bucket),
      key: logicalIdOf(stack.archive.key),
      stream: logicalIdOf(stack.events.stream),
      streamKey: logicalIdOf(stack.events.key),
      fn: logicalIdOf(stack.archive.function),
      delivery: stack.getLogicalId(stack.archive.deliveryStream),
    };
  });

  const delivery = () => template.toJSON().Resources[ids.delivery].Properties;

  it("reads the event stream, as a consumer of its own, through Firehose's role", () => {
    // THEN
    expect(delivery()).toMatchObject({
      DeliveryStreamType: "KinesisStreamAsSource",
      KinesisStreamSourceConfiguration: { KinesisStreamARN: arnOf(ids.stream) },
      Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.archiveDeliveryStream }],
    });
  });

  it("writes gzip objects, KMS-encrypted, under an hourly Hive-style prefix and failures under errors/", () => {
    // THEN
    const s3 = delivery().ExtendedS3DestinationConfiguration;
    expect(s3).toMatchObject({
      BucketARN: arnOf(ids.bucket),
      Prefix: "events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
      ErrorOutputPrefix: expect.stringMatching(
        /^errors\/!\{firehose:error-output-type\}\/year=!\{timestamp:yyyy\}\//,
      ),
      CompressionFormat: "GZIP",
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
      EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: arnOf(ids.key) } },
      CloudWatchLoggingOptions: { Enabled: true },
    });
    // ... the prefix the domain's reader expects
    expect(s3.Prefix.replace(/!\{timestamp:(\w+)\}/g, "x")).toBe("events/year=x/month=x/day=x/hour=x/");
  });

  it("has the transform function wrap every record, with a 1 MB input so its response stays under 6 MB", () => {
    // THEN
    const processing = delivery().ExtendedS3DestinationConfiguration.ProcessingConfiguration;
    expect(processing.Enabled).toBe(true);
    expect(processing.Processors).toEqual([
      {
        Type: "Lambda",
        Parameters: expect.arrayContaining([
          { ParameterName: "LambdaArn", ParameterValue: arnOf(ids.fn) },
          { ParameterName: "BufferSizeInMBs", ParameterValue: "1" },
        ]),
      },
    ]);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.archiveFunction }],
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: "archive" }) },
      Timeout: 60,
    });
  });

  it("keeps the bucket private, TLS-only, versioned, logged, encrypted with its own key, expiring after 400 days", () => {
    // THEN
    const bucket = template.toJSON().Resources[ids.bucket].Properties;
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: arnOf(ids.key) } },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: "Enabled" },
      LoggingConfiguration: { DestinationBucketName: ref(logicalIdOf(stack.quarantine.accessLogsBucket)) },
      Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.archiveBucket }],
    });
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        ExpirationInDays: 400,
        Transitions: [{ StorageClass: "STANDARD_IA", TransitionInDays: 30 }],
      }),
    ]);
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: ref(ids.bucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("gives Firehose's role only what it needs, each on the one bucket, stream, key and function", () => {
    // GIVEN Firehose's role
    const roleArn = delivery().ExtendedS3DestinationConfiguration.RoleARN;
    expect(delivery().KinesisStreamSourceConfiguration.RoleARN).toEqual(roleArn);
    const roleId: string = roleArn["Fn::GetAtt"][0];
    const role = stack.node
      .findAll()
      .find((c) => c.node.defaultChild !== undefined && logicalIdOf(c) === roleId);
    if (role === undefined) throw new Error("no Firehose role");
    const statements = statementsOf(template, role);
    // THEN it writes the archive (multipart uploads included), but can neither delete from it nor change it
    const onBucket = actionsOn(statements, ids.bucket);
    expect(onBucket).toEqual(expect.arrayContaining(["s3:PutObject", "s3:AbortMultipartUpload"]));
    expect(onBucket.filter((a) => /\*|Delete|Put(?!Object$)|Replicate|Restore/.test(a))).toEqual([]);
    // ... encrypts with the archive's key through S3 only
    const onKey = statements.filter((s) => JSON.stringify(s.Resource).includes(`"${ids.key}"`));
    expect(onKey).toHaveLength(1);
    expect(onKey[0]?.Action.sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(JSON.stringify(onKey[0]?.Condition)).toContain("kms:ViaService");
    // ... reads the stream, decrypting with the stream's key, and writes nothing to it
    const onStream = actionsOn(statements, ids.stream);
    expect(onStream).toEqual(expect.arrayContaining(["kinesis:GetRecords", "kinesis:GetShardIterator"]));
    expect(onStream.filter((a) => a.startsWith("kinesis:Put"))).toEqual([]);
    expect(actionsOn(statements, ids.streamKey)).toEqual(["kms:Decrypt"]);
    // ... invokes the transform and nothing else
    expect(actionsOn(statements, ids.fn).sort()).toEqual([
      "lambda:GetFunctionConfiguration",
      "lambda:InvokeFunction",
    ]);
    const everything = statements.flatMap((s) => [s.Resource].flat());
    expect(everything).not.toContain("*");
    // ... and no other role may change the archive: the model training's only reads it (the shop's history)
    const own = new Set(statements.map((s) => JSON.stringify(s)));
    const others = statementsOf(template).filter((s) => !own.has(JSON.stringify(s)));
    const othersOnBucket = actionsOn(others, ids.bucket);
    expect(othersOnBucket.filter((a) => !/^s3:(Get|List)/.test(a))).toEqual([]);
    expect(othersOnBucket).not.toContain("s3:*");
  });

  it("puts a Glue table over the prefix: JSON lines, gzip, the line's columns, partition projection by hour", () => {
    // THEN
    template.hasResourceProperties("AWS::Glue::Table", {
      TableInput: {
        Parameters: Match.objectLike({
          "projection.enabled": "true",
          "projection.year.type": "integer",
          "projection.month.type": "integer",
          "projection.month.digits": "2",
          "projection.day.digits": "2",
          "projection.hour.range": "0,23",
          "projection.hour.digits": "2",
          has_encrypted_data: false,
          "storage.location.template": {
            "Fn::Join": ["", ["s3://", ref(ids.bucket), `/events/${ARCHIVE_PARTITION_TEMPLATE}`]],
          },
        }),
        PartitionKeys: ["year", "month", "day", "hour"].map((Name) => ({ Name, Type: "string" })),
        StorageDescriptor: Match.objectLike({
          Location: { "Fn::Join": ["", ["s3://", ref(ids.bucket), "/events/"]] },
          Compressed: true,
          SerdeInfo: { SerializationLibrary: "org.openx.data.jsonserde.JsonSerDe" },
          Columns: Match.arrayWith([
            Match.objectLike({ Name: "partitionkey", Type: "string" }),
            Match.objectLike({ Name: "subsequencenumber", Type: "int" }),
            Match.objectLike({ Name: "arrivedat", Type: "string" }),
            Match.objectLike({ Name: "data", Type: "string" }),
          ]),
        }),
      },
    });
  });

  it("alarms to the alarm topic when delivery to S3 falls behind or fails, and when the transform fails", () => {
    // THEN
    const topic = ref(logicalIdOf(stack.alarmTopic));
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm")).map((a) => a.Properties);
    const onFirehose = (metricName: string) =>
      alarms.filter(
        (a) => JSON.stringify(a).includes(`"${metricName}"`) && JSON.stringify(a).includes(ids.delivery),
      );
    const freshness = onFirehose("DeliveryToS3.DataFreshness");
    expect(freshness).toHaveLength(1);
    expect(freshness[0]).toMatchObject({ Namespace: "AWS/Firehose", Threshold: 900, AlarmActions: [topic] });
    expect(onFirehose("DeliveryToS3.Success")[0]).toMatchObject({ AlarmActions: [topic] });
    const transform = alarms.filter(
      (a) => a.MetricName === "Errors" && JSON.stringify(a.Dimensions).includes(`"${ids.fn}"`),
    );
    expect(transform).toHaveLength(1);
    expect(transform[0]?.AlarmActions).toEqual([topic]);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "Tailor",
      MetricName: "ArchiveRecordsFailed",
      AlarmActions: [topic],
    });
  });

  it("names the bucket, the delivery stream and the Glue database and table in the outputs", () => {
    // THEN
    const outputs = template.toJSON().Outputs;
    expect(outputs[ARCHIVE_OUTPUTS.bucket].Value).toEqual(ref(ids.bucket));
    expect(outputs[ARCHIVE_OUTPUTS.deliveryStream].Value).toEqual(ref(ids.delivery));
    expect(outputs[ARCHIVE_OUTPUTS.database].Value).toEqual(ref(logicalIdOf(stack.archive.database)));
    expect(outputs[ARCHIVE_OUTPUTS.table].Value).toEqual(ref(logicalIdOf(stack.archive.table)));
  });

  it("takes archiveRetentionDays from the context, refusing anything but whole days from 1 to 3650", () => {
    // WHEN / THEN
    const node = (context: Record<string, unknown>) => new App({ context }).node;
    expect(resolveRetentionSettings({}, node({ archiveRetentionDays: "730" })).archiveRetentionDays).toBe(
      730,
    );
    expect(resolveRetentionSettings({ archiveRetentionDays: 90 }, node({})).archiveRetentionDays).toBe(90);
    for (const bad of ["0", "1.5", "forever", "", "3651", true]) {
      expect(() => resolveRetentionSettings({}, node({ archiveRetentionDays: bad }))).toThrow(
        new InfraConfigError(
          `archiveRetentionDays must be a whole number of days from 1 to 3650 (e.g. -c archiveRetentionDays=400), got ${JSON.stringify(bad)}`,
        ),
      );
    }
    // ...in the stack, before anything is declared, and a misspelt key is refused
    const bad = new App({ context: { archiveRetentionDays: "0", "aws:cdk:bundling-stacks": [] } });
    expect(() => new TailorStack(bad, "BadArchive", LOCAL_STACK_SETTINGS)).toThrow(
      /archiveRetentionDays must be/,
    );
    const misspelt = new App({ context: { archiveRetentionDay: "30", "aws:cdk:bundling-stacks": [] } });
    expect(() => new TailorStack(misspelt, "Misspelt", LOCAL_STACK_SETTINGS)).toThrow(
      /did you mean archiveRetentionDays/,
    );
  });

  it("expires after the retention given, moving objects to Standard-IA only when kept 60 days or more", () => {
    // WHEN / THEN
    const short = archiveLifecycleRule(45);
    expect(short.expiration?.toDays()).toBe(45);
    expect(short.transitions).toBeUndefined();
    const long = archiveLifecycleRule(90);
    expect(long.expiration?.toDays()).toBe(90);
    expect(long.transitions?.map((t) => [t.storageClass.value, t.transitionAfter?.toDays()])).toEqual([
      ["STANDARD_IA", 30],
    ]);
  });
});
