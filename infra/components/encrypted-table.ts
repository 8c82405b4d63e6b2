import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { TTL_ATTRIBUTE } from "#shared/aws/dynamo-ttl.js";
import type { LocalName } from "../local-names.js";
import { tagLocalName } from "./local-name.js";

/** What {@link createEncryptedTable} builds a table from. */
export interface EncryptedTableOptions {
  /** What the table holds, for the key's description. */
  readonly purpose: string;
  /** Name of the string partition key. */
  readonly partitionKey: string;
  /** Name of the string sort key. */
  readonly sortKey: string;
  /** The name the local stack creates the table under. */
  readonly localName: LocalName;
  /** Turns DynamoDB's TTL on, reading {@link TTL_ATTRIBUTE} (epoch seconds). @default false */
  readonly expires?: boolean;
}

/** A table and the key it is encrypted with. */
export interface EncryptedTable {
  /** The table itself, so a component can add an index to it. */
  readonly table: Table;
  readonly key: IKey;
}

/**
 * Creates, under `scope` as `Key` and `Table`, a DynamoDB table with string partition and sort keys, on-demand,
 * encrypted with a rotating key of its own, with point-in-time recovery and deletion protection; table and key
 * are retained when the stack goes, like every stateful resource of the app; with `expires`, TTL on `ttl`.
 */
export function createEncryptedTable(scope: Construct, options: EncryptedTableOptions): EncryptedTable {
  const key = new Key(scope, "Key", {
    description: `Encrypts the Tailor ${options.purpose} table`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const table = new Table(scope, "Table", {
    partitionKey: { name: options.partitionKey, type: AttributeType.STRING },
    sortKey: { name: options.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(options.expires === true ? { timeToLiveAttribute: TTL_ATTRIBUTE } : {}),
  });
  tagLocalName(table, "AWS::DynamoDB::Table", options.localName);
  return { table, key };
}
