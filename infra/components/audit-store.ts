import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { Grant, IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { grantTableActions } from "./table-grants.js";

/** The audit log as the functions that use it see it: the table and the two ways in. */
export interface AuditTable {
  /** The audit table. */
  readonly table: ITable;
  /** Lets `grantee` append entries: conditional puts only, never an update or a delete. */
  grantAppend(grantee: IGrantable): Grant;
  /** Lets `grantee` read entries: queries of one customer's or one day's partition. */
  grantRead(grantee: IGrantable): Grant;
}

/**
 * The DynamoDB audit log (partition `pk`, sort `sk`): who changed a customer's consent, erased or exported a
 * customer, and when, each entry written under the customer's hash and under its day so both reads are queries.
 * Append-only by its grants: writers may put, nobody is granted an update or a delete. On demand, encrypted with
 * a key of its own, with PITR and deletion protection; retained.
 */
export class AuditStore extends Construct implements AuditTable {
  /** The audit table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "audit log",
      expires: true,
      partitionKey: "pk",
      sortKey: "sk",
      localName: LOCAL_NAMES.auditTable,
    });
    this.table = table;
    this.key = key;
  }

  grantAppend(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "write", "PutItem");
  }

  grantRead(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "read", "Query");
  }
}
