import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import type { ApiDeps } from "#shared/app/api/api-deps.js";
import { RefreshingLinkKeys } from "#shared/app/api/link-key-source.js";
import { CachedWriteKeyVerifier } from "#shared/app/api/write-key-auth.js";
import type { PrivacyDeps } from "#shared/app/privacy/privacy-ports.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoShortLinks } from "#shared/aws/dynamo-short-links.js";
import { DynamoWriteKeyRegistry } from "#shared/aws/dynamo-write-key-registry.js";
import { KinesisEventWriter } from "#shared/aws/kinesis-event-writer.js";
import { DependencyUnavailableError, TailorError } from "#shared/errors.js";
import { loadLinkKeys } from "#shared/lambda/link-secret.js";
import { type PrivacyResources, privacyAdapters } from "#shared/lambda/privacy-erasure.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { Recommender } from "#shared/ports.js";
import { DEFAULT_LINK_KEY_GRACE_DAYS, graceMsOf, type LinkKeyRing } from "#shared/render/link-keys.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { makeConsoleDeps } from "./console-deps.js";
import type { ApiEnv } from "./env.js";
import { makeOnsiteDeps } from "./onsite-deps.js";

/**
 * The HTTP API's composition root: SDK clients once per container. The link keys are loaded per request
 * through Powertools' cache (a rotation is picked up without a redeploy), and read past it (at most every 10 s)
 * for a token signed with a key the cache does not hold yet; a secret store that cannot be reached is a
 * retryable failure (503), not a bad link.
 */
export function makeApiDeps(env: ApiEnv): ApiDeps {
  const dynamodb = new DynamoDBClient({});
  const privacy = makePrivacyDeps(env, dynamodb);
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const onsite = makeOnsiteDeps(env, dynamodb, profiles);
  return {
    profiles,
    events: new KinesisEventWriter({ client: new KinesisClient({}), streamName: env.EVENTS_STREAM }),
    clock: runtimeClock,
    linkKeys: new RefreshingLinkKeys({
      load: (fresh) => loadKeys(env, fresh),
      clock: runtimeClock,
      graceMs: graceMsOf(env.LINK_KEY_GRACE_DAYS ?? DEFAULT_LINK_KEY_GRACE_DAYS),
    }),
    shop: { name: env.SHOP_NAME, url: env.SHOP_URL },
    ...(privacy === undefined ? {} : { privacy }),
    ...consoleOf(env, dynamodb, privacy, onsite?.context.recommender),

    ...(onsite === undefined ? {} : { onsite }),
    // Texts' short links (`GET /l/{token}`, routed with -c sms=on): one GetItem of the ledger table per click.
    ...(env.SEND_LEDGER_TABLE === undefined
      ? {}
      : {
          shortLinks: { store: new DynamoShortLinks({ client: dynamodb, tableName: env.SEND_LEDGER_TABLE }) },
        }),
    segment: {
      // One cache per container: a revoked key is refused within WRITE_KEY_CACHE_MS.
      writeKeys: new CachedWriteKeyVerifier({
        registry: new DynamoWriteKeyRegistry({ client: dynamodb, tableName: env.WRITE_KEYS_TABLE }),
        clock: runtimeClock,
      }),
      corsOrigins: env.CORS_ALLOWED_ORIGINS.split(",").map((origin) => origin.trim()),
    },
  };
}

async function loadKeys(env: ApiEnv, fresh: boolean): Promise<LinkKeyRing> {
  try {
    return await loadLinkKeys(env, { fresh });
  } catch (error) {
    if (error instanceof TailorError) throw error;
    throw new DependencyUnavailableError("the link secret could not be loaded", error);
  }
}

/** Erasure and export, when the environment names every store (the admin routes are off otherwise). */
/** The segment membership index an erasure clears: every segment of the library, read on the first erasure. */
function memberIndexOf(env: ApiEnv): Pick<PrivacyResources, "memberIndex"> {
  const { SEGMENTS_TABLE, SEGMENTS_DIR } = env;
  if (SEGMENTS_TABLE === undefined || SEGMENTS_DIR === undefined) return {};
  let ids: readonly string[] | undefined;
  return {
    memberIndex: {
      segmentsTable: SEGMENTS_TABLE,
      get segmentIds() {
        ids ??= loadSegmentLibrary(SEGMENTS_DIR).definitions.map((definition) => definition.id);
        return ids;
      },
    },
  };
}

function makePrivacyDeps(env: ApiEnv, dynamodb: DynamoDBClient): PrivacyDeps | undefined {
  const { SEND_LEDGER_TABLE, TIMERS_TABLE, QUARANTINE_BUCKET, AUDIT_TABLE } = env;
  if (
    SEND_LEDGER_TABLE === undefined ||
    TIMERS_TABLE === undefined ||
    QUARANTINE_BUCKET === undefined ||
    AUDIT_TABLE === undefined
  ) {
    return undefined;
  }
  return privacyAdapters({
    dynamodb,
    s3: new S3Client({}),
    resources: {
      profilesTable: env.PROFILES_TABLE,
      sendLedgerTable: SEND_LEDGER_TABLE,
      timersTable: TIMERS_TABLE,
      quarantineBucket: QUARANTINE_BUCKET,
      ...(env.WATCHES_TABLE === undefined ? {} : { watchesTable: env.WATCHES_TABLE }),
      ...memberIndexOf(env),
    },
    audit: new DynamoAuditLog({
      client: dynamodb,
      tableName: AUDIT_TABLE,
      retentionDays: env.AUDIT_RETENTION_DAYS,
    }),
    clock: runtimeClock,
  });
}

function consoleOf(
  env: ApiEnv,
  dynamodb: DynamoDBClient,
  privacy: PrivacyDeps | undefined,
  recommender: Recommender | undefined,
): Pick<ApiDeps, "console"> {
  const deps = makeConsoleDeps(env, dynamodb, privacy, recommender);
  return deps === undefined ? {} : { console: deps };
}
