import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { Grant, IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { grantTableActions } from "./table-grants.js";

/**
 * How long dispatch holds the content library before reading it again (seconds): an import reaches every warm
 * dispatch container within this time.
 */
export const CONTENT_CACHE_SECONDS = 300;

/**
 * The content library (articles, tips, guides with interest tags): one item per content id (partition `pk`,
 * sort `sk` = `content`), written by `tailor content import` (an import retires items that left the file with
 * `retiredAt`). On demand, encrypted with a key of its own, PITR, deletion protection; retained. Dispatch reads it
 * whole (a Scan) through a cache of {@link CONTENT_CACHE_SECONDS}.
 */
export class ContentLibraryStore extends Construct {
  /** The content table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "content library",
      partitionKey: "pk",
      sortKey: "sk",
      localName: LOCAL_NAMES.contentTable,
    });
    this.table = table;
    this.key = key;
  }

  /** Lets `grantee` read the whole library: `Scan`, nothing else. */
  grantReadAll(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "read", "Scan");
  }
}
