import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { PROFILE_KEY_ATTRIBUTE, profileKey } from "#shared/aws/profile-key.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";
import { describeProfile } from "./profile-summary.js";
import { plainRecord, readableItem } from "./profile-view.js";

/**
 * Reads one profile as stored (from the running stack, or the data dir opened directly), without its table key,
 * as plain JSON (see `toPlain`); `undefined` for an unknown or erased customer.
 */
export async function readProfile(
  customerId: string,
  dataDir: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const item = await readStoredItem(customerId, dataDir);
  return item === undefined ? undefined : plainRecord(item);
}

/**
 * Reads the profile item of the customer `customerId` belongs to (the customer it was merged into, for a merged
 * id) as stored, without its table key and unmarshalled (binary as bytes, sets as sets); `undefined` for an
 * unknown or erased customer.
 */
export async function readStoredItem(
  customerId: string,
  dataDir: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  // Loaded here, not with the module: a usage error or `--help` does not wait for the AWS SDK.
  const [{ GetItemCommand }, { unmarshall }, { explainMissing, openDynamo }] = await Promise.all([
    import("@aws-sdk/client-dynamodb"),
    import("@aws-sdk/util-dynamodb"),
    import("./stack-access.js"),
  ]);
  const access = await openDynamo(dataDir);
  try {
    let id = customerId;
    // Any id of a customer: a merged id's key holds a forward to the customer it joined (followed, a few hops).
    for (let hop = 0; hop < MAX_FORWARDS; hop++) {
      const out = await access.client
        .send(
          new GetItemCommand({
            TableName: LOCAL_NAMES.profileTable,
            Key: { [PROFILE_KEY_ATTRIBUTE]: { S: profileKey(id) } },
            ConsistentRead: true,
          }),
        )
        .catch((error: unknown) => explainMissing(error, "profiles table", dataDir));
      const forward = out.Item?.fw?.S;
      if (forward !== undefined) {
        id = forward;
        continue;
      }
      // An erased customer's key holds a tombstone, not a profile.
      if (out.Item === undefined || out.Item.erasedAt !== undefined) return undefined;
      const { [PROFILE_KEY_ATTRIBUTE]: _key, ...item } = out.Item;
      return unmarshall(item);
    }
    return undefined;
  } finally {
    await access.close();
  }
}

const USAGE = "usage: tailor profile <customerId> [--json | --raw] [--data-dir D]";

/** Forwards followed from the id asked for to the customer it was merged into. */
const MAX_FORWARDS = 5;

/**
 * `tailor profile <customerId> [--json | --raw]`: the profile as a person reads it; `--json`: as JSON with readable
 * field names (as `tailor export` shows it); `--raw`: the item as stored (short keys, binary as base64).
 */
export async function profileCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      raw: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [customerId, ...extra] = positionals;
  if (customerId === undefined || extra.length > 0 || (values.json && values.raw)) {
    throw new LocalStackError(USAGE);
  }
  const item = await readStoredItem(customerId, stringFlag(values["data-dir"]));
  if (item === undefined) {
    return nothingFound(
      "profile",
      `no profile for ${customerId}`,
      "check the id (erased customers have none)",
    );
  }
  const plain = plainRecord(item);
  const text = values.raw
    ? JSON.stringify(plain, null, 2)
    : values.json
      ? JSON.stringify(readableItem(item), null, 2)
      : describeProfile(plain, Date.now()).join("\n");
  process.stdout.write(`${text}\n`);
  return 0;
}
