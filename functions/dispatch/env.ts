import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import {
  linkSecretEnvShape,
  ONE_LINK_SECRET_MESSAGE,
  oneLinkSecret,
} from "#shared/lambda/link-secret-env.js";
import { ledgerRetentionEnvShape } from "#shared/lambda/retention-env.js";
import { segmentEnvShape } from "#shared/lambda/segment-env.js";
import { SMS_SETTINGS_TOGETHER_MESSAGE, smsEnvShape, smsSettingsTogether } from "#shared/lambda/sms-env.js";

/**
 * The dispatch function's environment: it consumes the sends queue, re-checks the policy, renders and sends
 * through SES v2.
 */
export const dispatchEnvSchema = z
  .object({
    PROFILES_TABLE: z.string().min(3),
    /** DynamoDB send ledger (partition `customerId`, sort `sk`). */
    LEDGER_TABLE: z.string().min(3),
    ...ledgerRetentionEnvShape,
    ...segmentEnvShape,
    ...campaignEnvShape,
    /**
     * Templates compiled at build time (JSON of `CompiledTemplates`), relative to the working directory: the
     * bundle carries them, the local stack writes its own. Required: the function never compiles MJML.
     */
    TEMPLATES_FILE: z.string().min(1),
    /** The verified SES identity mail is sent from, e.g. `Tailor Shop <shop@example.com>`. */
    FROM_ADDRESS: z.string().min(3),
    /** SES configuration set: its event destination turns delivery, opens, clicks, bounces into events. */
    SES_CONFIGURATION_SET: z.string().min(1),
    /** This function's share of the account's SES send rate (emails per second per instance). */
    SEND_RATE_PER_SECOND: z.coerce.number().positive(),
    /** Base URL of the HTTP API serving `/unsubscribe` and `/preferences`. */
    PUBLIC_API_URL: z.url(),
    ...linkSecretEnvShape,
    /** Shop shown in emails. */
    SHOP_NAME: z.string().min(1),
    SHOP_URL: z.url(),
    SHOP_LOGO_URL: z.url(),
    /** Base URL of the templates' pictures (hero banners); `<SHOP_URL>/images` when absent. */
    SHOP_IMAGES_URL: z.url().optional(),
    SHOP_POSTAL_ADDRESS: z.string().min(1),
    /** The event stream: holdout decisions go on it as `Email Held Out` events, for conversion attribution. */
    EVENTS_STREAM: z.string().min(1),
    /** SageMaker endpoint of the recommendation model; without it recommendations are best sellers. */
    RECOMMENDER_ENDPOINT: z.string().min(1).optional(),
    /** DynamoDB catalog table: the products emails show and recommend (imported from the shop's feed). */
    CATALOG_TABLE: z.string().min(3),
    /** How old (seconds) a product or best-seller list read from the catalog may be when an email is rendered. */
    CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600),
    /** DynamoDB content library (articles, tips, guides); without it emails' `content` lists are empty. */
    CONTENT_TABLE: z.string().min(3).optional(),
    /** How long the content library is held before it is read again (seconds, 0–3600). Required with CONTENT_TABLE. */
    CONTENT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
    ...smsEnvShape,
    POWERTOOLS_SERVICE_NAME: z.string().min(1),
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
  })
  .refine(oneLinkSecret, { message: ONE_LINK_SECRET_MESSAGE })
  .refine(smsSettingsTogether, { message: SMS_SETTINGS_TOGETHER_MESSAGE, path: ["SMS_CONFIGURATION_SET"] })
  .refine((env) => env.CONTENT_TABLE === undefined || env.CONTENT_CACHE_SECONDS !== undefined, {
    message:
      "CONTENT_CACHE_SECONDS: required with CONTENT_TABLE (seconds the content library is cached, e.g. 300)",
    path: ["CONTENT_CACHE_SECONDS"],
  });

export type DispatchEnv = z.infer<typeof dispatchEnvSchema>;
