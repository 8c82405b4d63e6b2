import { z } from "zod";
import {
  linkKeyGraceEnvShape,
  linkSecretEnvShape,
  ONE_LINK_SECRET_MESSAGE,
  oneLinkSecret,
} from "#shared/lambda/link-secret-env.js";
import { auditRetentionEnvShape } from "#shared/lambda/retention-env.js";

/** The variables the admin routes need together. */
const PRIVACY_STORES = ["SEND_LEDGER_TABLE", "TIMERS_TABLE", "QUARANTINE_BUCKET", "AUDIT_TABLE"] as const;
const PRIVACY_STORES_MESSAGE = `set all of ${PRIVACY_STORES.join(", ")} (the admin routes), or none`;

function allOrNoPrivacyStores(env: Partial<Record<(typeof PRIVACY_STORES)[number], string>>): boolean {
  const set = PRIVACY_STORES.filter((name) => env[name] !== undefined).length;
  return set === 0 || set === PRIVACY_STORES.length;
}

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
    ...linkKeyGraceEnvShape,
    /** Shown on the pages. */
    SHOP_NAME: z.string().min(1),
    SHOP_URL: z.url(),
    /**
     * The admin routes (erasure and export of a customer) need every store that holds a customer's data and the
     * audit table: all four, or none (then those routes answer 404).
     */
    SEND_LEDGER_TABLE: z.string().min(3).optional(),
    /** The watch index of catalog-triggered campaigns: a customer's watches are erased and exported with it. */
    WATCHES_TABLE: z.string().min(3).optional(),
    /** The segments table holding the segment membership index (erased with the customer), and the definitions. */
    SEGMENTS_TABLE: z.string().min(3).optional(),
    SEGMENTS_DIR: z.string().min(1).optional(),
    /**
     * The console's read API (`/v1/admin/...`): campaigns, their emails, the sample profiles, the compiled
     * templates and the catalog previews read; with SEGMENTS_TABLE/SEGMENTS_DIR and the admin stores. All or none.
     */
    CAMPAIGNS_DIR: z.string().min(1).optional(),
    EMAILS_DIR: z.string().min(1).optional(),
    SAMPLES_DIR: z.string().min(1).optional(),
    TEMPLATES_FILE: z.string().min(1).optional(),
    CATALOG_TABLE: z.string().min(3).optional(),
    TIMERS_TABLE: z.string().min(3).optional(),
    QUARANTINE_BUCKET: z.string().min(3).optional(),
    AUDIT_TABLE: z.string().min(3).optional(),
    ...auditRetentionEnvShape,
    /** The write keys of Segment's HTTP Tracking API routes (read by SHA-256). */
    WRITE_KEYS_TABLE: z.string().min(3),
    /**
     * Origins browsers may send Segment calls from: `*` for any (without credentials), else a comma-separated
     * list of exact origins (`https://shop.example.com,https://www.shop.example.com`).
     */
    CORS_ALLOWED_ORIGINS: z
      .string()
      .min(1)
      .refine(
        (value) =>
          value === "*" || value.split(",").every((origin) => /^https?:\/\/[^/\s,]+$/.test(origin.trim())),
        {
          message:
            'CORS_ALLOWED_ORIGINS must be "*" or comma-separated origins such as https://shop.example.com',
        },
      ),
    /**
     * `jwt` when the console is deployed: API Gateway's JWT authorizer signs operators in on `/v1/admin/*`, and
     * the function refuses, in its turn, customer data calls without a caller or outside the console's groups.
     */
    ADMIN_AUTH: z.literal("jwt").optional(),

    // On-site content (`GET /v1/content/{slot}`, off without TEMPLATES_FILE and CATALOG_TABLE): the compiled
    // templates with their slots and the catalog above, the cache ages, content library and recommender below.
    CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
    CONTENT_TABLE: z.string().min(3).optional(),
    CONTENT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
    /** On-site content: the recommendation endpoint; without one, best sellers. */
    RECOMMENDER_ENDPOINT: z.string().min(1).optional(),
    /** On-site content: the shop's logo for the blocks that show it. */
    SHOP_LOGO_URL: z.url().optional(),
    /** Seconds a browser may keep an on-site content answer (`cache-control: private, max-age`). @default 30 */
    CONTENT_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(3600).optional(),
    POWERTOOLS_SERVICE_NAME: z.string().min(1),
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
  })
  .refine(oneLinkSecret, { message: ONE_LINK_SECRET_MESSAGE })
  .refine(allOrNoPrivacyStores, { message: PRIVACY_STORES_MESSAGE });

export type ApiEnv = z.infer<typeof apiEnvSchema>;
