import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ConsoleDeps } from "#shared/app/console/console-deps.js";
import type { PrivacyDeps } from "#shared/app/privacy/privacy-ports.js";
import { DynamoCampaignOutcomes } from "#shared/aws/dynamo-campaign-outcomes.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentChanges } from "#shared/aws/dynamo-segment-changes.js";
import { DynamoSegmentMembers } from "#shared/aws/dynamo-segment-members.js";
import { DynamoSegmentSizeHistory } from "#shared/aws/dynamo-segment-size-history.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import type { CampaignLibrary } from "#shared/domain/campaigns/index.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { FileTemplateSource } from "#shared/lambda/file-template-source.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { Recommender } from "#shared/ports.js";
import { loadSampleProfiles, type SampleProfile } from "#shared/render/samples.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import type { ApiEnv } from "./env.js";
import { apiShopView } from "./shop-view.js";

/** Reads `load` once, on first use (a cold start that serves no console route reads no file). */
function once<T>(load: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => {
    value ??= { v: load() };
    return value.v;
  };
}

/**
 * The console's read API, when the environment names everything it reads (the segments table and definitions,
 * the campaigns, emails, samples, compiled templates and catalog) and the admin stores (audit, ledger) are on.
 */
export function makeConsoleDeps(
  env: ApiEnv,
  dynamodb: DynamoDBClient,
  privacy: PrivacyDeps | undefined,
  recommender?: Recommender,
): ConsoleDeps | undefined {
  const {
    SEGMENTS_TABLE,
    SEGMENTS_DIR,
    CAMPAIGNS_DIR,
    EMAILS_DIR,
    SAMPLES_DIR,
    TEMPLATES_FILE,
    CATALOG_TABLE,
  } = env;
  const ledgerTable = env.SEND_LEDGER_TABLE;
  if (
    privacy === undefined ||
    ledgerTable === undefined ||
    SEGMENTS_TABLE === undefined ||
    SEGMENTS_DIR === undefined ||
    CAMPAIGNS_DIR === undefined ||
    EMAILS_DIR === undefined ||
    SAMPLES_DIR === undefined ||
    TEMPLATES_FILE === undefined ||
    CATALOG_TABLE === undefined
  ) {
    return undefined;
  }
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const segmentLibrary = once((): SegmentLibrary => loadSegmentLibrary(SEGMENTS_DIR));
  const members = new DynamoSegmentMembers({ client: dynamodb, tableName: SEGMENTS_TABLE });
  return {
    profiles,
    identities: profiles,
    sample: profiles,
    segments: new DynamoSegmentStore({ client: dynamodb, tableName: SEGMENTS_TABLE }),
    sizeHistory: new DynamoSegmentSizeHistory({ client: dynamodb, tableName: SEGMENTS_TABLE }),
    ledger: new DynamoSendLedger({ client: dynamodb, tableName: ledgerTable }),
    audit: privacy.audit,
    experiments: new DynamoExperimentCounters({ client: dynamodb, tableName: SEGMENTS_TABLE }),
    outcomes: new DynamoCampaignOutcomes({ client: dynamodb, tableName: SEGMENTS_TABLE }),
    changes: new DynamoSegmentChanges({
      client: dynamodb,
      tableName: SEGMENTS_TABLE,
      profilesTable: env.PROFILES_TABLE,
    }),
    segmentLibrary,
    campaignLibrary: once(
      (): CampaignLibrary =>
        loadCampaignLibrary(CAMPAIGNS_DIR, { templates: EMAILS_DIR, segments: segmentLibrary() }),
    ),
    templates: new FileTemplateSource(TEMPLATES_FILE),
    sampleProfiles: once((): readonly SampleProfile[] => loadSampleProfiles(SAMPLES_DIR)),
    catalog: new DynamoCatalog({ client: dynamodb, tableName: CATALOG_TABLE }),
    clock: runtimeClock,
    // A campaign's dry run: the fan-out's audience readers (reads the API already holds) and the shop.
    dryRun: {
      audience: {
        profiles,
        memberIndex: members,
        memberIndexStatus: members,
        segmentLibrary: {
          get byId() {
            return segmentLibrary().byId;
          },
        },
      },
      shop: apiShopView(env),
      ...(recommender === undefined ? {} : { recommender }),
    },
  };
}
