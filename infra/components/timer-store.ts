import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";

/**
 * The DynamoDB table of due-time timers: when a customer's segment membership can next change by time alone,
 * a timer is kept here (partition `b`, a time bucket; sort `k`, due time and customer) and fired by the
 * segment-timers function every minute. On demand, encrypted with a key of its own, with PITR; retained.
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
      partitionKey: "b",
      sortKey: "k",
      localName: LOCAL_NAMES.timersTable,
    });
    this.table = table;
    this.key = key;
  }
}
