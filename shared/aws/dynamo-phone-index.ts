import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";
import type { PhoneIndex } from "../ports.js";
import { PROFILE_KEY_ATTRIBUTE, phoneKey } from "./profile-key.js";

/**
 * The {@link PhoneIndex} in the profiles table: one item per number texted, `pk = p#<sha256(E.164)>` with the
 * customer as `owner`. The key is a hash in its own namespace, so it never meets a customer's `c#` key or an
 * email's `e#` entry, and the table's scans skip it (an `owner` without a forward is an index entry). The number
 * itself is not stored: a reply looks its number up by the same hash.
 */
export class DynamoPhoneIndex implements PhoneIndex {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async remember(phone: string, customerId: string): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { [PROFILE_KEY_ATTRIBUTE]: { S: phoneKey(phone) }, owner: { S: customerId } },
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`PutItem (phone index) on ${this.#tableName} failed`, error);
    }
  }

  async customerOf(phone: string): Promise<string | undefined> {
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { [PROFILE_KEY_ATTRIBUTE]: { S: phoneKey(phone) } },
          ConsistentRead: true,
        }),
      );
      return out.Item?.owner?.S;
    } catch (error) {
      throw new DependencyUnavailableError(`GetItem (phone index) on ${this.#tableName} failed`, error);
    }
  }

  async forget(phone: string, customerId: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { [PROFILE_KEY_ATTRIBUTE]: { S: phoneKey(phone) } },
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":me": { S: customerId } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(`DeleteItem (phone index) on ${this.#tableName} failed`, error);
    }
  }
}
