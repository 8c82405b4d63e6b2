import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { OnsiteDeps } from "#shared/app/api/content-routes.js";
import { CachedCatalog } from "#shared/app/catalog/cached-catalog.js";
import { CachedContentLibrary } from "#shared/app/content/cached-content-library.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { SageMakerRecommender } from "#shared/aws/sagemaker-recommender.js";
import { EnvironmentError } from "#shared/lambda/env.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { IdentityStore } from "#shared/ports.js";
import { parseCompiledTemplates, TEMPLATES_FORMAT } from "#shared/render/compiled-templates.js";
import { EmailRenderer } from "#shared/render/email-renderer.js";
import type { LinkSettings } from "#shared/render/signed-links.js";
import type { ApiEnv } from "./env.js";
import { apiShopView } from "./shop-view.js";

/**
 * On-site content (`GET /v1/content/{slot}`), when the environment names the compiled templates and the catalog:
 * the slots compiled at build time (`TEMPLATES_FILE`), the catalog and content library through caches of bounded
 * age, the recommendation endpoint when there is one. Slot blocks carry no signed link, so the renderer signs with
 * a key of this container only (nothing it signs is ever shown).
 */
export function makeOnsiteDeps(
  env: ApiEnv,
  dynamodb: DynamoDBClient,
  identities: Pick<IdentityStore, "resolveIds">,
): OnsiteDeps | undefined {
  if (env.TEMPLATES_FILE === undefined || env.CATALOG_TABLE === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(env.TEMPLATES_FILE, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(
      `TEMPLATES_FILE: cannot read the compiled templates ${env.TEMPLATES_FILE} (${reason})`,
    );
  }
  const compiled = parseCompiledTemplates(text, env.TEMPLATES_FILE);
  const slots = compiled.slots;
  if (slots === undefined) return undefined;
  const shop = env.SHOP_URL.replace(/\/+$/, "");
  const links: LinkSettings = {
    unsubscribeUrl: `${shop}/unsubscribe`,
    preferencesUrl: `${shop}/preferences`,
    viewInBrowserUrl: `${shop}/view`,
    secret: randomBytes(32).toString("base64url"),
    ttlMs: 60_000,
  };
  const clock = runtimeClock;
  return {
    slots: new Map(slots.definitions.map((slot) => [slot.id, slot])),
    renderer: new EmailRenderer(
      {
        format: TEMPLATES_FORMAT,
        templates: slots.templates,
        ...(compiled.locales === undefined ? {} : { locales: compiled.locales }),
      },
      { links },
    ),
    context: {
      catalog: new CachedCatalog({
        catalog: new DynamoCatalog({ client: dynamodb, tableName: env.CATALOG_TABLE }),
        clock,
        maxAgeMs: (env.CATALOG_CACHE_SECONDS ?? 300) * 1000,
      }),
      ...(env.RECOMMENDER_ENDPOINT === undefined
        ? {}
        : {
            recommender: new SageMakerRecommender({
              client: new SageMakerRuntimeClient({ maxAttempts: 1 }),
              endpointName: env.RECOMMENDER_ENDPOINT,
              clock,
            }),
          }),
      ...(env.CONTENT_TABLE === undefined
        ? {}
        : {
            contentLibrary: new CachedContentLibrary({
              library: new DynamoContentLibrary({ client: dynamodb, tableName: env.CONTENT_TABLE }),
              maxAgeMs: (env.CONTENT_CACHE_SECONDS ?? 300) * 1000,
              clock,
            }),
          }),
    },
    identities,
    links,
    shop: apiShopView(env),
    ...(env.CONTENT_MAX_AGE_SECONDS === undefined ? {} : { maxAgeSeconds: env.CONTENT_MAX_AGE_SECONDS }),
    // The offer slot reads the customer's last sends (Query) to rotate offers as messages do.
    ...(env.SEND_LEDGER_TABLE === undefined
      ? {}
      : { ledger: new DynamoSendLedger({ client: dynamodb, tableName: env.SEND_LEDGER_TABLE }) }),
  };
}
