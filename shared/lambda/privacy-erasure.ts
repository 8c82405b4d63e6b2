import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { PrivacyDeps } from "../app/privacy/privacy-ports.js";
import { DynamoLedgerErasure, DynamoTimerErasure } from "../aws/dynamo-erasure.js";
import { DynamoPhoneIndex } from "../aws/dynamo-phone-index.js";
import { DynamoProfileStore } from "../aws/dynamo-profile-store.js";
import { DynamoSegmentMembers } from "../aws/dynamo-segment-members.js";

import { DynamoWatchIndex } from "../aws/dynamo-watch-index.js";
import { S3QuarantineErasure } from "../aws/s3-quarantine-erasure.js";
import type { AuditLog, Clock } from "../ports.js";

/** Where a customer's data lives: the names of the tables and the bucket. */
export interface PrivacyResources {
  readonly profilesTable: string;
  readonly sendLedgerTable: string;
  readonly timersTable: string;
  readonly quarantineBucket: string;
  /** The segments table and every segment id, when the segment membership index is kept there. */
  readonly memberIndex?: { readonly segmentsTable: string; readonly segmentIds: readonly string[] };

  /** The watch index of catalog-triggered campaigns. @default - none */
  readonly watchesTable?: string;
}

/** Erasure and export wired to DynamoDB and S3 (the API's and the CLI's composition roots use it). */
export function privacyAdapters(options: {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly resources: PrivacyResources;
  readonly audit: AuditLog;
  readonly clock: Clock;
}): PrivacyDeps {
  const { dynamodb, s3, resources } = options;
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: resources.profilesTable });
  return {
    profiles,
    // Any id of a customer reaches every id merged into it.
    identities: profiles,
    ledger: new DynamoLedgerErasure({ client: dynamodb, tableName: resources.sendLedgerTable }),
    timers: new DynamoTimerErasure({ client: dynamodb, tableName: resources.timersTable }),
    quarantine: new S3QuarantineErasure({ client: s3, bucketName: resources.quarantineBucket }),
    ...(resources.memberIndex === undefined
      ? {}
      : {
          members: new DynamoSegmentMembers({
            client: dynamodb,
            tableName: resources.memberIndex.segmentsTable,
            segmentIds: () => resources.memberIndex?.segmentIds ?? [],
            clock: options.clock,
          }),
        }),

    ...(resources.watchesTable === undefined
      ? {}
      : { watches: new DynamoWatchIndex({ client: dynamodb, tableName: resources.watchesTable }) }),
    // Entries exist only where texts were sent; removing none costs one conditional delete.
    phones: new DynamoPhoneIndex({ client: dynamodb, tableName: resources.profilesTable }),
    audit: options.audit,
    clock: options.clock,
  };
}
