import { Stack, Validations } from "aws-cdk-lib";
import { AttributeType, type ITable, ProjectionType } from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { TIMERS_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-timers.js";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { arnFinding } from "./nag-findings.js";

/**
 * The DynamoDB table of due-time timers: when a customer's segment membership can next change by time alone,
 * a timer is kept here (partition `b`, a time bucket; sort `k`, due time and customer) and fired by the
 * segment-timers function every minute. Send timers share it under their own namespace. A global secondary
 * index by customer serves erasure and export; TTL on `ttl` removes timers left long past their due time. On
 * demand, encrypted with a key of its own, with PITR; retained.
 */
export class TimerStore extends Construct {
  /** The timers table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "segment timers",
      expires: true,
      partitionKey: "b",
      sortKey: "k",
      localName: LOCAL_NAMES.timersTable,
    });
    // Erasure and export find a customer's timers here, never by a scan. Only timers carry `customerId`, so
    // the index holds them alone (not the minute index or the cursor).
    table.addGlobalSecondaryIndex({
      indexName: TIMERS_BY_CUSTOMER_INDEX,
      partitionKey: { name: "customerId", type: AttributeType.STRING },
      sortKey: { name: "k", type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ["dueAt", "p"],
    });
    // `grantReadWriteData()` of the functions that set and fire timers covers the table's indexes as
    // `<table ARN>/index/*`: the one index is this one, which holds timers only.
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(table, "/index/*")}]`,
      reason: `The timers table's only index is ${TIMERS_BY_CUSTOMER_INDEX}, over the timers the grantee may read anyway.`,
    });
    this.table = table;
    this.key = key;
  }
}
