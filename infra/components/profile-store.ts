import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { PROFILE_KEY_ATTRIBUTE } from "#shared/aws/profile-key.js";
import { LOCAL_NAMES } from "../local-names.js";
import { tagLocalName } from "./local-name.js";

/**
 * The DynamoDB table of customer profiles: one compact item per customer, keyed by `pk`, a hash of the customer id
 * in its own namespace (`shared/aws/profile-key.ts`); an erased customer's tombstone stands at the same key. On-demand
 * billing follows the traffic; point-in-time recovery, deletion protection and a retained table and key keep
 * the profiles safe from a bad deploy.
 */
export class ProfileStore extends Construct {
  /** The profile table. */
  readonly table: ITable;
  /** The customer-managed key the table is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "Encrypts the Tailor profile table",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const table = new Table(this, "Table", {
      partitionKey: { name: PROFILE_KEY_ATTRIBUTE, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(table, "AWS::DynamoDB::Table", LOCAL_NAMES.profileTable);
    this.table = table;
  }
}
