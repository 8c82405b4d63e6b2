import { z } from "zod";

/** The resource types that hold customer data at rest and must be encrypted with a key of our own. */
export const ENCRYPTED_TYPES = [
  "AWS::DynamoDB::Table",
  "AWS::Kinesis::Stream",
  "AWS::SQS::Queue",
  "AWS::S3::Bucket",
] as const;

const resourceSchema = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
  DeletionPolicy: z.string().optional(),
});
const resourcesSchema = z.record(z.string(), resourceSchema);

/** A template resource, as far as these checks read it. */
export type TemplateResource = z.infer<typeof resourceSchema>;

/** The template's resources by logical id. */
export function resourcesOf(template: {
  toJSON(): Record<string, unknown>;
}): Record<string, TemplateResource> {
  return resourcesSchema.parse(template.toJSON().Resources);
}

/** How one resource is encrypted: the logical id of its customer-managed key, or what it uses instead. */
export type Encryption =
  | { readonly logicalId: string; readonly type: string; readonly key: string }
  | { readonly logicalId: string; readonly type: string; readonly problem: string };

const getAttArn = z.object({ "Fn::GetAtt": z.tuple([z.string(), z.literal("Arn")]) });
const ref = z.object({ Ref: z.string() });

/** The logical id of the `AWS::KMS::Key` that `value` references (by `Ref` or `Fn::GetAtt … Arn`), if any. */
function keyReferenced(value: unknown, resources: Record<string, TemplateResource>): string | undefined {
  const byArn = getAttArn.safeParse(value);
  const byRef = ref.safeParse(value);
  const id = byArn.success ? byArn.data["Fn::GetAtt"][0] : byRef.success ? byRef.data.Ref : undefined;
  return id !== undefined && resources[id]?.Type === "AWS::KMS::Key" ? id : undefined;
}

const tableSse = z.looseObject({
  SSEEnabled: z.boolean().optional(),
  SSEType: z.string().optional(),
  KMSMasterKeyId: z.unknown().optional(),
});
const streamSse = z.looseObject({ EncryptionType: z.string(), KeyId: z.unknown().optional() });
const bucketSse = z.looseObject({
  ServerSideEncryptionConfiguration: z.array(
    z.looseObject({
      ServerSideEncryptionByDefault: z
        .looseObject({ SSEAlgorithm: z.string(), KMSMasterKeyID: z.unknown().optional() })
        .optional(),
    }),
  ),
});

/** What a resource's properties say about its encryption: the key reference, or the problem. */
function keyOrProblem(
  resource: TemplateResource,
): { readonly keyValue: unknown } | { readonly problem: string } {
  const properties = resource.Properties ?? {};
  switch (resource.Type) {
    case "AWS::DynamoDB::Table": {
      const sse = tableSse.safeParse(properties.SSESpecification);
      if (!sse.success || sse.data.SSEEnabled !== true)
        return { problem: "AWS owned key (no SSESpecification)" };
      // SSE enabled with no SSEType or no key is the AWS managed key.
      if (sse.data.KMSMasterKeyId === undefined) return { problem: "AWS managed key aws/dynamodb" };
      if (sse.data.SSEType !== "KMS") return { problem: `SSEType ${String(sse.data.SSEType)}` };
      return { keyValue: sse.data.KMSMasterKeyId };
    }
    case "AWS::Kinesis::Stream": {
      const sse = streamSse.safeParse(properties.StreamEncryption);
      if (!sse.success) return { problem: "unencrypted" };
      if (sse.data.EncryptionType !== "KMS") return { problem: `EncryptionType ${sse.data.EncryptionType}` };
      return { keyValue: sse.data.KeyId };
    }
    case "AWS::SQS::Queue":
      if (properties.KmsMasterKeyId === undefined) return { problem: "SQS-managed SSE (no KmsMasterKeyId)" };
      return { keyValue: properties.KmsMasterKeyId };
    case "AWS::S3::Bucket": {
      const sse = bucketSse.safeParse(properties.BucketEncryption);
      const rules = sse.success ? sse.data.ServerSideEncryptionConfiguration : [];
      const byDefault = rules[0]?.ServerSideEncryptionByDefault;
      if (rules.length !== 1 || byDefault === undefined) return { problem: "S3 default encryption (SSE-S3)" };
      if (!byDefault.SSEAlgorithm.startsWith("aws:kms")) return { problem: `SSE ${byDefault.SSEAlgorithm}` };
      if (byDefault.KMSMasterKeyID === undefined) return { problem: "AWS managed key aws/s3" };
      return { keyValue: byDefault.KMSMasterKeyID };
    }
    default:
      return { problem: `not a checked type: ${resource.Type}` };
  }
}

/**
 * How each table, stream, queue and bucket of the template is encrypted: the customer-managed key (an
 * `AWS::KMS::Key` of the same template) it names, or the problem — an AWS owned or managed key, SSE-S3, a key
 * given by alias or ARN from outside the template, none at all.
 */
export function encryptionOf(resources: Record<string, TemplateResource>): Encryption[] {
  const checked: readonly string[] = ENCRYPTED_TYPES;
  return Object.entries(resources)
    .filter(([, resource]) => checked.includes(resource.Type))
    .map(([logicalId, resource]): Encryption => {
      const found = keyOrProblem(resource);
      if ("problem" in found) return { logicalId, type: resource.Type, problem: found.problem };
      const key = keyReferenced(found.keyValue, resources);
      return key === undefined
        ? {
            logicalId,
            type: resource.Type,
            problem: `key not in this template: ${JSON.stringify(found.keyValue)}`,
          }
        : { logicalId, type: resource.Type, key };
    });
}

const denyStatement = z.looseObject({
  Effect: z.string(),
  Action: z.union([z.string(), z.array(z.string())]).optional(),
  Principal: z.unknown().optional(),
  Resource: z.unknown().optional(),
  Condition: z.unknown().optional(),
});
const resourcePolicy = z.looseObject({
  PolicyDocument: z.looseObject({ Statement: z.array(denyStatement) }),
});

/**
 * The logical ids of the resources a resource policy of `policyType` (`AWS::SQS::QueuePolicy`,
 * `AWS::S3::BucketPolicy`) denies every action to, for everyone, over a connection without TLS.
 */
export function tlsOnlyResources(
  resources: Record<string, TemplateResource>,
  policyType: "AWS::SQS::QueuePolicy" | "AWS::S3::BucketPolicy",
  allActions: "sqs:*" | "s3:*",
): Set<string> {
  const guarded = new Set<string>();
  for (const policy of Object.values(resources).filter((resource) => resource.Type === policyType)) {
    const properties = policy.Properties ?? {};
    const denies = resourcePolicy
      .parse(properties)
      .PolicyDocument.Statement.some(
        (statement) =>
          statement.Effect === "Deny" &&
          [statement.Action].flat().includes(allActions) &&
          JSON.stringify(statement.Principal) === JSON.stringify({ AWS: "*" }) &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
      );
    if (!denies) continue;
    const targets = policyType === "AWS::SQS::QueuePolicy" ? [properties.Queues].flat() : [properties.Bucket];
    for (const target of targets) {
      const id = ref.safeParse(target);
      if (id.success) guarded.add(id.data.Ref);
    }
  }
  return guarded;
}
