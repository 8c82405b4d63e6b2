import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SendScheduling } from "../app/schedule-intents.js";
import { DynamoSendTimers } from "../aws/dynamo-send-timers.js";
import { SqsSendQueue } from "../aws/sqs-send-queue.js";

/** Where send intents go from a composition root: the sends queue when due, send timers when later. */
export function sendAdapters(
  env: {
    readonly SENDS_QUEUE_URL: string;
    readonly TIMERS_TABLE: string;
    readonly TIMER_GRACE_DAYS?: number | undefined;
  },
  dynamodb: DynamoDBClient,
): SendScheduling {
  return {
    queue: new SqsSendQueue({ client: new SQSClient({}), queueUrl: env.SENDS_QUEUE_URL }),
    timers: new DynamoSendTimers({
      client: dynamodb,
      tableName: env.TIMERS_TABLE,
      graceDays: env.TIMER_GRACE_DAYS,
    }),
  };
}
