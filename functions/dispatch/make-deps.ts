import { readFile } from "node:fs/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { CachedCatalog } from "#shared/app/catalog/cached-catalog.js";
import { CachedContentLibrary } from "#shared/app/content/cached-content-library.js";
import type { DispatchDeps } from "#shared/app/dispatch-sends.js";
import { TokenBucket } from "#shared/app/rate-limiter.js";
import { CachedOpenHourPrior } from "#shared/app/send-time/cached-open-hour-prior.js";
import { DynamoCampaignOutcomes } from "#shared/aws/dynamo-campaign-outcomes.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { DynamoLedgerErasure, DynamoTimerErasure } from "#shared/aws/dynamo-erasure.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { DynamoOpenHourPriorStore } from "#shared/aws/dynamo-open-hour-prior-store.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { DynamoShortLinks } from "#shared/aws/dynamo-short-links.js";
import { KinesisEventWriter } from "#shared/aws/kinesis-event-writer.js";
import { SageMakerRecommender } from "#shared/aws/sagemaker-recommender.js";
import { SesV2Mailer } from "#shared/aws/sesv2-mailer.js";
import { EnvironmentError } from "#shared/lambda/env.js";
import { loadLinkKeys } from "#shared/lambda/link-secret.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { smsDispatchDeps } from "#shared/lambda/sms-env.js";
import type { Clock } from "#shared/ports.js";
import { type CompiledTemplates, parseCompiledTemplates } from "#shared/render/compiled-templates.js";
import { EmailRenderer } from "#shared/render/email-renderer.js";
import { LINK_LIFETIME_DAYS } from "#shared/render/link-keys.js";
import type { LinkSettings } from "#shared/render/signed-links.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import type { DispatchEnv } from "./env.js";

/** Signed links stay valid this long: an email may be opened weeks later. */
const LINK_TTL_MS = LINK_LIFETIME_DAYS * 24 * 3_600_000;

/**
 * The templates compiled at build time (`TEMPLATES_FILE`, written beside the bundle; the local stack writes its
 * own). Nothing compiles here: the function ships neither MJML nor html-to-text.
 */
async function loadTemplates(env: DispatchEnv): Promise<CompiledTemplates> {
  let text: string;
  try {
    text = await readFile(env.TEMPLATES_FILE, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(
      `TEMPLATES_FILE: cannot read the compiled templates ${env.TEMPLATES_FILE} (${reason}); ` +
        "the bundle writes them at build time and the local stack into its data dir",
    );
  }
  return parseCompiledTemplates(text, env.TEMPLATES_FILE);
}

/**
 * The dispatch function's composition root, run once per container: SDK clients (SES with `maxAttempts: 1`,
 * since `sendWithBackoff` retries), the campaign library checked against the templates and segments, the
 * templates parsed once, the link secret, the catalog (the table, through a cache of bounded age) and the optional recommender. `clock` defaults to the
 * runtime clock (the local stack may move it).
 */
export async function makeDispatchDeps(env: DispatchEnv, clock: Clock = runtimeClock): Promise<DispatchDeps> {
  const dynamodb = new DynamoDBClient({});
  const [compiled, keys] = await Promise.all([loadTemplates(env), loadLinkKeys(env)]);
  const library = loadCampaignLibrary(env.CAMPAIGNS_DIR, {
    templates: env.EMAILS_DIR,
    segments: loadSegmentLibrary(env.SEGMENTS_DIR),
    // The texts shipped: a step naming another fails the cold start, as it fails the synth.
    smsTemplates: new Set((compiled.sms ?? []).map((template) => template.name)),
  });
  const catalog = new CachedCatalog({
    catalog: new DynamoCatalog({ client: dynamodb, tableName: env.CATALOG_TABLE }),
    clock,
    maxAgeMs: env.CATALOG_CACHE_SECONDS * 1000,
  });
  const api = env.PUBLIC_API_URL.replace(/\/+$/, "");
  const links: LinkSettings = {
    unsubscribeUrl: `${api}/unsubscribe`,
    preferencesUrl: `${api}/preferences`,
    // No hosted copy is kept, so the templates offer no view-in-browser link; the URL must still be a prefix of
    // no shop link, or the shop's links would go untagged.
    viewInBrowserUrl: `${api}/view`,
    confirmUrl: `${api}/confirm`,
    secret: keys.current.secret,
    keyId: keys.current.id,
    ttlMs: LINK_TTL_MS,
  };
  const recommender =
    env.RECOMMENDER_ENDPOINT === undefined
      ? undefined
      : new SageMakerRecommender({
          client: new SageMakerRuntimeClient({ maxAttempts: 1 }),
          endpointName: env.RECOMMENDER_ENDPOINT,
          clock,
        });
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  // The library is read whole, at most once per CONTENT_CACHE_SECONDS per container.
  const contentLibrary =
    env.CONTENT_TABLE === undefined
      ? undefined
      : new CachedContentLibrary({
          library: new DynamoContentLibrary({ client: dynamodb, tableName: env.CONTENT_TABLE }),
          maxAgeMs: (env.CONTENT_CACHE_SECONDS ?? 0) * 1000,
          clock,
        });
  const texts = smsDispatchDeps(env, compiled.sms ?? [], { client: dynamodb, tableName: env.PROFILES_TABLE });
  // Links in texts go out as the API's short links (`<api>/l/<token>`), stored in the ledger table.
  const sms =
    texts === undefined
      ? undefined
      : {
          ...texts,
          links: {
            store: new DynamoShortLinks({ client: dynamodb, tableName: env.LEDGER_TABLE }),
            apiBaseUrl: api,
            ttlMs: LINK_TTL_MS,
          },
        };
  return {
    ...(sms === undefined ? {} : { sms }),
    ledger: new DynamoSendLedger({
      client: dynamodb,
      tableName: env.LEDGER_TABLE,
      retentionDays: env.LEDGER_RETENTION_DAYS,
    }),
    profiles,
    // A journey started under an anonymous id continues on the customer it was merged into.
    identities: profiles,
    library,
    sendTimers: new DynamoSendTimers({
      client: dynamodb,
      tableName: env.TIMERS_TABLE,
      graceDays: env.TIMER_GRACE_DAYS,
    }),
    erased: {
      ledger: new DynamoLedgerErasure({ client: dynamodb, tableName: env.LEDGER_TABLE }),
      timers: new DynamoTimerErasure({ client: dynamodb, tableName: env.TIMERS_TABLE }),
    },
    // The learned open-hour prior of best-time sends, read at most every 10 minutes per container.
    openHourPriors: new CachedOpenHourPrior({
      store: new DynamoOpenHourPriorStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
      clock,
    }),
    experiments: new DynamoExperimentCounters({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    outcomes: new DynamoCampaignOutcomes({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    events: new KinesisEventWriter({ client: new KinesisClient({}), streamName: env.EVENTS_STREAM }),
    renderer: new EmailRenderer(compiled, { links }),
    content: {
      catalog,
      ...(recommender === undefined ? {} : { recommender }),
      ...(contentLibrary === undefined ? {} : { contentLibrary }),
    },
    links,
    // Each batch signs with the ring's current key (Powertools' 300 s cache): a rotation reaches warm containers.
    linkKeys: () => loadLinkKeys(env),
    shop: {
      name: env.SHOP_NAME,
      url: env.SHOP_URL,
      logo_url: env.SHOP_LOGO_URL,
      images_url: env.SHOP_IMAGES_URL ?? `${env.SHOP_URL.replace(/\/+$/, "")}/images`,
      postal_address: env.SHOP_POSTAL_ADDRESS,
    },
    mailer: new SesV2Mailer({
      client: new SESv2Client({ maxAttempts: 1 }),
      fromAddress: env.FROM_ADDRESS,
      configurationSetName: env.SES_CONFIGURATION_SET,
    }),
    limiter: new TokenBucket({ ratePerSecond: env.SEND_RATE_PER_SECOND, clock }),
    clock,
  };
}
