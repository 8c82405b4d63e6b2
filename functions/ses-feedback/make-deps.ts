import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { SesFeedbackDeps } from "#shared/app/ses-feedback.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { KinesisEventWriter } from "#shared/aws/kinesis-event-writer.js";
import type { SesFeedbackEnv } from "./env.js";

/** The SES feedback function's composition root: the Kinesis and DynamoDB clients created once per container. */
export function makeSesFeedbackDeps(env: SesFeedbackEnv): SesFeedbackDeps {
  return {
    events: new KinesisEventWriter({ client: new KinesisClient({}), streamName: env.EVENTS_STREAM }),
    acceptances: new DynamoSendLedger({
      client: new DynamoDBClient({}),
      tableName: env.LEDGER_TABLE,
      retentionDays: env.LEDGER_RETENTION_DAYS,
    }),
  };
}
