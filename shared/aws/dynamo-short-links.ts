import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { ShortLink } from "../domain/sms/short-links.js";
import { DependencyUnavailableError } from "../errors.js";
import type { ShortLinkStore } from "../ports.js";
import { TTL_ATTRIBUTE } from "./dynamo-ttl.js";

/** The partition of a link: outside every customer's (`customerId` is the ledger's partition key). */
const partitionOf = (id: string) => `l#${id}`;

/** The ledger table key of a short link's item (erasure deletes it with the text's ledger entry). */
export const shortLinkKey = (id: string) => ({ customerId: { S: partitionOf(id) }, sk: { S: "link" } });

/**
 * Texts' short links in the send ledger table: one item per link at `customerId = l#<id>`, `sk = link` (the target,
 * customer, campaign, variant, send key and expiry; about 250 bytes), with the ledger's `ttl` set to the link's
 * expiry so DynamoDB removes it; a read after the expiry answers none even before TTL's sweep.
 */
export class DynamoShortLinks implements ShortLinkStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(links: readonly ShortLink[]): Promise<void> {
    await Promise.all(
      links.map((link) =>
        this.#call("PutItem", () =>
          this.#client.send(
            new PutItemCommand({
              TableName: this.#tableName,
              Item: {
                ...shortLinkKey(link.id),
                target: { S: link.target },
                c: { S: link.customerId },
                k: { S: link.campaignId },
                v: { S: link.variant },
                sendKey: { S: link.sendKey },
                expiresAt: { N: String(link.expiresAt) },
                [TTL_ATTRIBUTE]: { N: String(Math.ceil(link.expiresAt / 1000)) },
              },
            }),
          ),
        ),
      ),
    );
  }

  async get(id: string, now: number): Promise<ShortLink | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: shortLinkKey(id),
        }),
      ),
    );
    const item = out.Item;
    const expiresAt = Number(item?.expiresAt?.N);
    const [target, customerId, campaignId, variant, sendKey] = [
      item?.target?.S,
      item?.c?.S,
      item?.k?.S,
      item?.v?.S,
      item?.sendKey?.S,
    ];
    if (
      target === undefined ||
      customerId === undefined ||
      campaignId === undefined ||
      variant === undefined ||
      sendKey === undefined ||
      !Number.isFinite(expiresAt) ||
      now > expiresAt
    ) {
      return undefined;
    }
    return { id, target, customerId, campaignId, variant, sendKey, expiresAt };
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
