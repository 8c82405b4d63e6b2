import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { Grant, IGrantable } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { grantTableActions } from "./table-grants.js";

/**
 * The write keys of Segment's HTTP Tracking API routes (partition `pk`, sort `sk`): one item per key, under the
 * SHA-256 of the key, naming its source and any revocation; the keys themselves are never stored. On demand,
 * encrypted with a key of its own, with PITR and deletion protection; retained. Keys are created, listed,
 * revoked and rotated by `tailor keys` with an operator's credentials; the API function only reads.
 */
export class WriteKeyStore extends Construct {
  /** The write-keys table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "write keys",
      partitionKey: "pk",
      sortKey: "sk",
      localName: LOCAL_NAMES.writeKeysTable,
    });
    this.table = table;
    this.key = key;
  }

  /** Lets `grantee` check keys: `GetItem` by hash, nothing else. */
  grantVerify(grantee: IGrantable): Grant {
    return grantTableActions(this.table, grantee, "read", "GetItem");
  }
}
