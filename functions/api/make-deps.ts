import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { ApiDeps } from "../../shared/app/api/api-deps.js";
import { DynamoProfileStore } from "../../shared/aws/dynamo-profile-store.js";
import { KinesisEventWriter } from "../../shared/aws/kinesis-event-writer.js";
import { DependencyUnavailableError, TailorError } from "../../shared/errors.js";
import { loadLinkSecret } from "../../shared/lambda/link-secret.js";
import { runtimeClock } from "../../shared/lambda/runtime-clock.js";
import type { ApiEnv } from "./env.js";

/**
 * The HTTP API's composition root: SDK clients once per container. The link secret is loaded per request
 * through Powertools' cache (a rotation is picked up without a redeploy); a secret store that cannot be
 * reached is a retryable failure (503), not a bad link.
 */
export function makeApiDeps(env: ApiEnv): ApiDeps {
  return {
    profiles: new DynamoProfileStore({ client: new DynamoDBClient({}), tableName: env.PROFILES_TABLE }),
    events: new KinesisEventWriter({ client: new KinesisClient({}), streamName: env.EVENTS_STREAM }),
    clock: runtimeClock,
    linkSecret: async () => {
      try {
        return await loadLinkSecret(env);
      } catch (error) {
        if (error instanceof TailorError) throw error;
        throw new DependencyUnavailableError("the link secret could not be loaded", error);
      }
    },
    shop: { name: env.SHOP_NAME, url: env.SHOP_URL },
  };
}
