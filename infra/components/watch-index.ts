import { AttributeType, type ITable, ProjectionType } from "aws-cdk-lib/aws-dynamodb";
import type { Grant, IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { WATCHES_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-watch-index.js";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { grantIndexQuery, grantTableActions } from "./table-grants.js";

/** The watch index as the functions that use it see it: the table and its three ways in. */
export interface WatchTable {
  readonly table: ITable;
  /** Lets `grantee` record watches and forget bought ones (ingest): updates and deletes, no reads. */
  grantRecord(grantee: IGrantable): Grant;
  /** Lets `grantee` read a product's watchers (the catalog-changes function): queries of the table. */
  grantReadWatchers(grantee: IGrantable): Grant;
  /** Lets `grantee` find and delete a customer's watches (erasure, export): the index by customer. */
  grantErase(grantee: IGrantable): void;
}

/**
 * The watch index of catalog-triggered campaigns (partition `p` product, sort `c` customer; the newest view
 * `v` and cart add `k`): who viewed or carted a product lately. TTL on `ttl` removes a watch 30 days after its
 * newest interest; a keys-only index by customer serves erasure and export. On demand, encrypted with a key of
 * its own, with PITR; retained.
 */
export class WatchIndexStore extends Construct implements WatchTable {
  readonly table: ITable;
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "catalog watch index",
      expires: true,
      partitionKey: "p",
      sortKey: "c",
      localName: LOCAL_NAMES.watchesTable,
    });
    table.addGlobalSecondaryIndex({
      indexName: WATCHES_BY_CUSTOMER_INDEX,
      partitionKey: { name: "c", type: AttributeType.STRING },
      sortKey: { name: "p", type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.table = table;
    this.key = key;
  }

  grantRecord(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "write", "UpdateItem", "BatchWriteItem");
  }

  grantReadWatchers(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "read", "Query");
  }

  grantErase(grantee: IGrantable): void {
    grantIndexQuery(this.table, grantee, WATCHES_BY_CUSTOMER_INDEX);
    grantTableActions(this.table, grantee, "write", "BatchWriteItem");
  }
}
