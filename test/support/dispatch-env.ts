import { writeFileSync } from "node:fs";
import path from "node:path";
import { writeCompiledTemplates } from "#shared/render/compile/index.js";

/**
 * A complete environment for the dispatch function in tests: the shipped segments, campaigns and templates (the
 * templates compiled into `dir`, as the bundle and the local stack carry them), a link secret written to `dir`,
 * queue URLs nobody listens on, and the given table names (the catalog's `catalog` unless given; see
 * `createCatalogTable`).
 */
export async function dispatchTestEnv(
  dir: string,
  tables: {
    readonly profiles: string;
    readonly ledger: string;
    readonly timers: string;
    readonly catalog?: string;
  },
): Promise<Record<string, string>> {
  const secretFile = path.join(dir, "link-secret");
  writeFileSync(secretFile, "s".repeat(48));
  const templatesFile = path.join(dir, "compiled-templates.json");
  await writeCompiledTemplates("templates", templatesFile);
  return {
    PROFILES_TABLE: tables.profiles,
    LEDGER_TABLE: tables.ledger,
    TIMERS_TABLE: tables.timers,
    SEGMENTS_TABLE: "segments",
    SEGMENTS_DIR: "templates/segments",
    TRANSITIONS_QUEUE_URL: "http://127.0.0.1:1/queue/transitions",
    CAMPAIGNS_DIR: "templates/campaigns",
    EMAILS_DIR: "templates/emails",
    TEMPLATES_FILE: templatesFile,
    SENDS_QUEUE_URL: "http://127.0.0.1:1/queue/sends",
    EVENTS_STREAM: "tailor-events",
    FROM_ADDRESS: "Tailor Shop <shop@example.com>",
    SES_CONFIGURATION_SET: "tailor",
    SEND_RATE_PER_SECOND: "50",
    PUBLIC_API_URL: "https://api.example.com/",
    LINK_SECRET_FILE: secretFile,
    CATALOG_TABLE: tables.catalog ?? "catalog",
    CATALOG_CACHE_SECONDS: "300",
    SHOP_NAME: "Tailor Shop",
    SHOP_URL: "https://shop.example.com",
    SHOP_LOGO_URL: "https://shop.example.com/logo.png",
    SHOP_POSTAL_ADDRESS: "1 Example Street, Springfield",
    POWERTOOLS_SERVICE_NAME: "dispatch",
    POWERTOOLS_METRICS_NAMESPACE: "Tailor",
  };
}
