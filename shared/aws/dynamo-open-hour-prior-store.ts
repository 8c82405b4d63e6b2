import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type LearnedOpenHourPrior,
  learnedOpenHourPriorSchema,
} from "../domain/campaigns/open-hour-prior.js";
import type { OpenHourPriorStore } from "../ports.js";
import { DynamoJsonItem } from "./dynamo-json-item.js";

/**
 * The learned open-hour prior as one item of the segment bookkeeping table (`pk = open-hours`, `sk = prior`, beside
 * the RFM thresholds): the 24 shares, the opens and customers it rests on and the date, as JSON (about 400
 * bytes). An unreadable item is an error (`DependencyUnavailableError`), never taken for an absent one.
 */
export class DynamoOpenHourPriorStore implements OpenHourPriorStore {
  readonly #item: DynamoJsonItem<LearnedOpenHourPrior>;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#item = new DynamoJsonItem({
      ...options,
      key: { pk: "open-hours", sk: "prior" },
      schema: learnedOpenHourPriorSchema,
      what: "open-hour prior",
    });
  }

  get(): Promise<LearnedOpenHourPrior | undefined> {
    return this.#item.get();
  }

  put(prior: LearnedOpenHourPrior): Promise<void> {
    return this.#item.put(prior);
  }
}
