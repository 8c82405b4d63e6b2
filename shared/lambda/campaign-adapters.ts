import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SendScheduling } from "../app/schedule-intents.js";
import { DynamoSendTimers } from "../aws/dynamo-send-timers.js";
import { SqsSendQueue } from "../aws/sqs-send-queue.js";
import type { CampaignLibrary } from "../domain/campaigns/index.js";
import { loadCampaignLibrary } from "../templates/campaign-files.js";
import { loadSegmentLibrary } from "../templates/segment-files.js";
import type { CampaignEnv } from "./campaign-env.js";

/** What a function that starts journeys reads: the campaign files, checked against templates and segments. */
export interface CampaignAdapterEnv extends CampaignEnv {
  readonly SEGMENTS_DIR: string;
  readonly TIMERS_TABLE: string;
  /** Days a timer is kept past its due time. @default 30 */
  readonly TIMER_GRACE_DAYS?: number | undefined;
}

/**
 * The campaign library, read and validated once per container (an invalid campaign fails the cold start,
 * loudly), and where intents go: the SQS sends queue, and send timers in the due-time table.
 */
export function campaignSendDeps(options: {
  readonly env: CampaignAdapterEnv;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}): { readonly library: CampaignLibrary; readonly sends: SendScheduling } {
  const { env, dynamodb, sqs } = options;
  const library = loadCampaignLibrary(env.CAMPAIGNS_DIR, {
    templates: env.EMAILS_DIR,
    segments: loadSegmentLibrary(env.SEGMENTS_DIR),
  });
  return {
    library,
    sends: {
      queue: new SqsSendQueue({ client: sqs, queueUrl: env.SENDS_QUEUE_URL }),
      timers: new DynamoSendTimers({
        client: dynamodb,
        tableName: env.TIMERS_TABLE,
        graceDays: env.TIMER_GRACE_DAYS,
      }),
    },
  };
}
