import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AttributeType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Stream, StreamEncryption } from "aws-cdk-lib/aws-kinesis";
import { Key } from "aws-cdk-lib/aws-kms";
import { Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TailorStack } from "#infra/tailor-stack.js";
import {
  ENCRYPTED_TYPES,
  type Encryption,
  encryptionOf,
  resourcesOf,
  type TemplateResource,
  tlsOnlyResources,
} from "./encryption-checks.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

describe("encryption at rest and in transit", () => {
  let stack: TailorStack;
  let resources: Record<string, TemplateResource>;
  let encryption: Encryption[];

  beforeAll(() => {
    // GIVEN the whole app, synthesised once
    ({ stack } = defaultApp());
    resources = resourcesOf(defaultApp().template);
    // WHEN every table, stream, queue and bucket is read for its encryption
    encryption = encryptionOf(resources);
  });

  const idsOfType = (type: string): string[] =>
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);

  it("covers every stateful resource of the app, the audit table and each dead-letter queue included", () => {
    // THEN the check is not vacuous: it sees each resource the stack names, by type
    const seen = new Set(encryption.map(({ logicalId }) => logicalId));
    for (const construct of [
      stack.profiles.table,
      stack.ledger.table,
      stack.timers.table,
      stack.segments.table,
      stack.audit.table,
      stack.events.stream,
      stack.transitions.queue,
      stack.transitions.deadLetterQueue,
      stack.sends.queue,
      stack.sends.deadLetterQueue,
      stack.ingest.deadLetterQueue,
      stack.segmentTimers.scheduleDeadLetterQueue,
      stack.sesFeedback.deadLetterQueue,
      stack.campaignTriggers.scheduleDeadLetterQueue,
      stack.quarantine.bucket,
      stack.quarantine.accessLogsBucket,
      stack.archive.bucket,
    ]) {
      expect(seen).toContain(logicalIdOf(construct));
    }
    expect(encryption).toHaveLength(ENCRYPTED_TYPES.flatMap(idsOfType).length);
  });

  it("encrypts every table, stream, queue and bucket with a customer-managed key, but the access-log bucket", () => {
    // THEN
    const problems = encryption.filter((found) => "problem" in found);
    expect(problems).toEqual([
      {
        logicalId: logicalIdOf(stack.quarantine.accessLogsBucket),
        type: "AWS::S3::Bucket",
        problem: "SSE AES256",
      },
    ]);
  });

  // The one exception: S3 delivers server access logs only to a bucket encrypted with S3-managed keys (SSE-S3).
  // The logs hold request metadata (object keys, callers), not the quarantined records themselves.
  it("accepts the access-log bucket's SSE-S3 only while it just receives the buckets' access logs", () => {
    // THEN the exception holds only while its reason does: the bucket is the quarantine's log destination (and
    // the archive's, under a prefix)...
    const accessLogs = logicalIdOf(stack.quarantine.accessLogsBucket);
    expect(resources[logicalIdOf(stack.quarantine.bucket)]?.Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: accessLogs },
    });
    expect(resources[logicalIdOf(stack.archive.bucket)]?.Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: accessLogs },
      LogFilePrefix: "archive/",
    });
    // ...no function is given its name...
    const environments = Object.values(resources)
      .filter((resource) => resource.Type === "AWS::Lambda::Function")
      .map((resource) => JSON.stringify(resource.Properties?.Environment ?? {}));
    expect(environments.filter((environment) => environment.includes(`"${accessLogs}"`))).toEqual([]);
    // ...and no role may write to it (only the S3 logging service, by the bucket policy)
    const policies = Object.values(resources)
      .filter((resource) => resource.Type === "AWS::IAM::Policy")
      .map((resource) => JSON.stringify(resource.Properties ?? {}));
    expect(policies.filter((policy) => policy.includes(`"${accessLogs}"`))).toEqual([]);
  });

  it("gives each resource a rotating key of its own, retained whenever the resource is", () => {
    // THEN
    const keyed = encryption.flatMap((found) => ("key" in found ? [found] : []));
    expect(new Set(keyed.map(({ key }) => key)).size).toBe(keyed.length);
    for (const { logicalId, key } of keyed) {
      const keyResource = resources[key];
      expect(keyResource?.Properties?.EnableKeyRotation, `${key}, the key of ${logicalId}`).toBe(true);
      if (resources[logicalId]?.DeletionPolicy === "Retain") {
        // A deleted key would make the retained data unreadable.
        expect(keyResource?.DeletionPolicy, `${key}, the key of retained ${logicalId}`).toBe("Retain");
      }
    }
  });

  it("refuses requests without TLS on every queue and every bucket", () => {
    // THEN
    const queues = tlsOnlyResources(resources, "AWS::SQS::QueuePolicy", "sqs:*");
    const buckets = tlsOnlyResources(resources, "AWS::S3::BucketPolicy", "s3:*");
    expect(idsOfType("AWS::SQS::Queue").filter((id) => !queues.has(id))).toEqual([]);
    expect(idsOfType("AWS::S3::Bucket").filter((id) => !buckets.has(id))).toEqual([]);
    expect(queues.size).toBeGreaterThanOrEqual(8);
    // archive, quarantine, catalog feeds, model registry (the console's site only with -c console=on)
    expect(buckets.size).toBe(5);
  });
});

describe("encryptionOf", () => {
  it("names what each resource uses instead of a customer-managed key", () => {
    // GIVEN one resource of each type with the service's own encryption, and one with a key of the template
    const scratch = new Stack(new App(), "Scratch");
    const key = new Key(scratch, "Key");
    new Table(scratch, "Owned", { partitionKey: { name: "id", type: AttributeType.STRING } });
    new Table(scratch, "Managed", {
      partitionKey: { name: "id", type: AttributeType.STRING },
      encryption: TableEncryption.AWS_MANAGED,
    });
    new Stream(scratch, "Plain", { encryption: StreamEncryption.UNENCRYPTED });
    new Stream(scratch, "ManagedStream", { encryption: StreamEncryption.MANAGED });
    new Queue(scratch, "SqsManaged", { encryption: QueueEncryption.SQS_MANAGED });
    new Queue(scratch, "KmsManaged", { encryption: QueueEncryption.KMS_MANAGED });
    new Queue(scratch, "Ours", { encryption: QueueEncryption.KMS, encryptionMasterKey: key });
    new Bucket(scratch, "S3Managed", { encryption: BucketEncryption.S3_MANAGED });
    new Bucket(scratch, "S3Kms", { encryption: BucketEncryption.KMS_MANAGED });
    // WHEN
    const found = encryptionOf(resourcesOf(Template.fromStack(scratch)));
    // THEN
    const byId = (prefix: string): Encryption | undefined =>
      found.find(({ logicalId }) => logicalId.startsWith(prefix));
    expect(byId("Owned")).toMatchObject({ problem: "AWS owned key (no SSESpecification)" });
    expect(byId("Managed")).toMatchObject({ problem: "AWS managed key aws/dynamodb" });
    expect(byId("Plain")).toMatchObject({ problem: "unencrypted" });
    expect(byId("ManagedStream")).toMatchObject({
      problem: expect.stringMatching(/^key not in this template/),
    });
    expect(byId("SqsManaged")).toMatchObject({ problem: "SQS-managed SSE (no KmsMasterKeyId)" });
    expect(byId("KmsManaged")).toMatchObject({ problem: expect.stringMatching(/alias\/aws\/sqs/) });
    expect(byId("Ours")).toMatchObject({ key: logicalIdOf(key) });
    expect(byId("S3Managed")).toMatchObject({ problem: "SSE AES256" });
    expect(byId("S3Kms")).toMatchObject({ problem: "AWS managed key aws/s3" });
    expect(found).toHaveLength(9);
  });
});
