import { parseArgs } from "node:util";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { PROFILE_KEY_ATTRIBUTE, profileKey } from "../../../shared/aws/profile-key.js";
import { LOCAL_NAMES } from "../../local-names.js";
import { LocalStackError } from "../local-errors.js";
import { stringFlag } from "./cli-options.js";
import { describeProfile } from "./profile-summary.js";
import { toPlain } from "./profile-view.js";
import { explainMissing, openDynamo } from "./stack-access.js";

/**
 * Reads one profile as stored (from the running stack, or the data dir opened directly), without its table key;
 * `undefined` for an unknown or erased customer.
 */
export async function readProfile(
  customerId: string,
  dataDir: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const access = await openDynamo(dataDir);
  try {
    const out = await access.client
      .send(
        new GetItemCommand({
          TableName: LOCAL_NAMES.profileTable,
          Key: { [PROFILE_KEY_ATTRIBUTE]: { S: profileKey(customerId) } },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => explainMissing(error, "profiles table", dataDir));
    // An erased customer's key holds a tombstone, not a profile.
    if (out.Item === undefined || out.Item.erasedAt !== undefined) return undefined;
    const { [PROFILE_KEY_ATTRIBUTE]: _key, ...item } = out.Item;
    const plain = toPlain(unmarshall(item));
    return typeof plain === "object" && plain !== null && !Array.isArray(plain)
      ? Object.fromEntries(Object.entries(plain))
      : undefined;
  } finally {
    await access.close();
  }
}

/** `tailor profile <customerId> [--json]`. */
export async function profileCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { json: { type: "boolean", default: false }, "data-dir": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [customerId, ...extra] = positionals;
  if (customerId === undefined || extra.length > 0) {
    throw new LocalStackError("usage: tailor profile <customerId> [--json] [--data-dir D]");
  }
  const profile = await readProfile(customerId, stringFlag(values["data-dir"]));
  if (profile === undefined) {
    process.stderr.write(`no profile for ${customerId}\n`);
    return 1;
  }
  process.stdout.write(
    values.json
      ? `${JSON.stringify(profile, null, 2)}\n`
      : `${describeProfile(profile, Date.now()).join("\n")}\n`,
  );
  return 0;
}
