import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { SmsNotificationDeps } from "#shared/app/sms-notification.js";
import { DynamoPhoneIndex } from "#shared/aws/dynamo-phone-index.js";
import { KinesisEventWriter } from "#shared/aws/kinesis-event-writer.js";
import type { SmsFeedbackEnv } from "./env.js";

/** The SMS feedback function's composition root: the Kinesis and DynamoDB clients created once per container. */
export function makeSmsFeedbackDeps(env: SmsFeedbackEnv): SmsNotificationDeps {
  return {
    events: new KinesisEventWriter({ client: new KinesisClient({}), streamName: env.EVENTS_STREAM }),
    recipients: new DynamoPhoneIndex({ client: new DynamoDBClient({}), tableName: env.PROFILES_TABLE }),
  };
}
