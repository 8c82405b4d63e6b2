import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable } from "aws-cdk-lib/aws-iam";

/** What the table's key must allow for reads, as `grantReadData()` gives it. */
const KEY_READ_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"];
/** What the table's key must allow for writes (puts, deletes), as `grantWriteData()` gives it. */
const KEY_WRITE_ACTIONS = [...KEY_READ_ACTIONS, "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/**
 * Grants `grantee` exactly `actions` on `table` (not on its indexes: see {@link grantIndexQuery}), and the use of
 * the table's customer-managed key they need: `Table.grant()` alone leaves the key out, and the `grant*Data()`
 * shortcuts grant more actions than a least-privilege role should hold (an append-only writer needs `PutItem`,
 * not `UpdateItem` or `DeleteItem`).
 */
export function grantTableActions(
  table: ITable,
  grantee: IGrantable,
  access: "read" | "write",
  ...actions: string[]
): Grant {
  table.encryptionKey?.grant(grantee, ...(access === "read" ? KEY_READ_ACTIONS : KEY_WRITE_ACTIONS));
  return Grant.addToPrincipal({
    grantee,
    actions: actions.map((action) => `dynamodb:${action}`),
    resourceArns: [table.tableArn],
  });
}

/**
 * Grants `grantee` `dynamodb:Query` on one index of `table` only (not the table, not its other indexes), and the
 * key reads it needs: erasure finds a customer's timers so, without the right to scan or query the table.
 */
export function grantIndexQuery(table: ITable, grantee: IGrantable, indexName: string): Grant {
  table.encryptionKey?.grant(grantee, ...KEY_READ_ACTIONS);
  return Grant.addToPrincipal({
    grantee,
    actions: ["dynamodb:Query"],
    resourceArns: [`${table.tableArn}/index/${indexName}`],
  });
}
