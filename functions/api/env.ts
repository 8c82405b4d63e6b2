import { z } from "zod";
import {
  linkSecretEnvShape,
  ONE_LINK_SECRET_MESSAGE,
  oneLinkSecret,
} from "../../shared/lambda/link-secret-env.js";

/**
 * The HTTP API's environment: unsubscribe and preference pages (signed links), and `POST /v1/events` for apps
 * that cannot reach Kinesis.
 */
export const apiEnvSchema = z
  .object({
    /** The Kinesis stream events are put on. */
    EVENTS_STREAM: z.string().min(1),
    /** Profiles, read to show the preference page. */
    PROFILES_TABLE: z.string().min(3),
    ...linkSecretEnvShape,
    /** Shown on the pages. */
    SHOP_NAME: z.string().min(1),
    SHOP_URL: z.url(),
    POWERTOOLS_SERVICE_NAME: z.string().min(1),
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
  })
  .refine(oneLinkSecret, { message: ONE_LINK_SECRET_MESSAGE });

export type ApiEnv = z.infer<typeof apiEnvSchema>;
