import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";

/**
 * The DynamoDB table of segment bookkeeping (partition `pk`, sort `sk`): sharded size counters, so no segment
 * is a hot key, and the RFM thresholds the batch path computes for real-time evaluation. On demand, encrypted
 * with a key of its own, with PITR; retained.
 */
export class SegmentStore extends Construct {
  /** The segments table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "segment bookkeeping",
      partitionKey: "pk",
      sortKey: "sk",
      localName: LOCAL_NAMES.segmentsTable,
      // The membership index's exit markers and the segment jobs' part states expire.
      expires: true,
    });
    this.table = table;
    this.key = key;
  }
}
