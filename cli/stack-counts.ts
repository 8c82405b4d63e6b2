import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { z } from "zod";
import { RECORDS_PREFIX } from "#shared/aws/s3-quarantine-index.js";

/** Runs a `Scan` page by page until the table is read, handing each page's output to `onPage`. */
async function scanPages(
  dynamo: DynamoDBClient,
  input: Omit<ScanCommandInput, "ExclusiveStartKey">,
  onPage: (out: ScanCommandOutput) => void,
): Promise<void> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamo.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    onPage(out);
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
}

/** Profiles in the table (a paginated `Scan` with `Select: COUNT`); tombstones, forwards and index entries left out. */
export async function countProfiles(dynamo: DynamoDBClient, tableName: string): Promise<number> {
  let total = 0;
  await scanPages(
    dynamo,
    {
      TableName: tableName,
      Select: "COUNT",
      // Only profiles hold `customerId`: an erased customer's tombstone, a merged id's forward and an email's
      // index entry share the table without it.
      FilterExpression: "attribute_exists(customerId)",
    },
    (out) => {
      total += out.Count ?? 0;
    },
  );
  return total;
}

/**
 * The identity fields (`im`, `ix`) of the profiles that hold either, unmarshalled (a paginated `Scan` projecting
 * just those two) of profiles only (`customerId`): tombstones, forwards and email index entries are left out.
 */
export async function identityItems(
  dynamo: DynamoDBClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await scanPages(
    dynamo,
    {
      TableName: tableName,
      ProjectionExpression: "im, ix",
      FilterExpression: "attribute_exists(customerId) AND (attribute_exists(im) OR attribute_exists(ix))",
    },
    (out) => {
      for (const item of out.Items ?? []) items.push(unmarshall(item));
    },
  );
  return items;
}

/** Every quarantined object's key, oldest listing order (paginated `ListObjectsV2`). */
export async function quarantineKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: RECORDS_PREFIX, ContinuationToken: token }),
    );
    for (const object of out.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** A quarantined record as the ingest use case stores it. */
export const quarantinedSchema = z.looseObject({
  reason: z.string(),
  issues: z.array(z.looseObject({ path: z.string(), rule: z.string(), message: z.string() })).default([]),
  shardId: z.string().nullish(),
  sequenceNumber: z.string(),
  partitionKey: z.string(),
  approximateArrivalTimestamp: z.number(),
  receivedAt: z.number().optional(),
  rawBase64: z.string(),
});

export type Quarantined = z.infer<typeof quarantinedSchema> & { readonly key: string };

/** Reads every quarantined record (objects that are not one are reported with their key). */
export async function readQuarantined(
  s3: S3Client,
  bucket: string,
): Promise<{ records: Quarantined[]; unreadable: string[] }> {
  const records: Quarantined[] = [];
  const unreadable: string[] = [];
  for (const key of await quarantineKeys(s3, bucket)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString()) ?? "";
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      unreadable.push(key);
      continue;
    }
    const parsed = quarantinedSchema.safeParse(json);
    if (parsed.success) records.push({ ...parsed.data, key });
    else unreadable.push(key);
  }
  records.sort((a, b) => a.approximateArrivalTimestamp - b.approximateArrivalTimestamp);
  return { records, unreadable };
}
