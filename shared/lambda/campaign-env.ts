import { z } from "zod";

/** The environment every function that reads the campaign library and creates send intents needs. */
export const campaignEnvShape = {
  /** Folder of campaign definitions, relative to the working directory (the bundle root on Lambda). */
  CAMPAIGNS_DIR: z.string().min(1),
  /** Folder of email templates (`templates/emails`): campaigns' template references are checked against it. */
  EMAILS_DIR: z.string().min(1),
  /** SQS queue of send intents due now, consumed by the dispatch function. */
  SENDS_QUEUE_URL: z.string().min(1),
} as const;

export type CampaignEnv = z.infer<z.ZodObject<typeof campaignEnvShape>>;
