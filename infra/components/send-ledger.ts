import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";

/**
 * The DynamoDB send ledger (partition `customerId`, sort `sk`): one item per send key (campaign, customer,
 * occurrence), claimed with a condition so a retried or replayed intent never sends twice, and the outcome of
 * every decision with its reason. On demand, encrypted with a key of its own, with PITR; retained.
 */
export class SendLedger extends Construct {
  /** The ledger table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "send ledger",
      expires: true,
      partitionKey: "customerId",
      sortKey: "sk",
      localName: LOCAL_NAMES.sendLedgerTable,
    });
    this.table = table;
    this.key = key;
  }
}
