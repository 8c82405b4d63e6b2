import { readFile } from "node:fs/promises";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { type LinkKeyRing, LinkKeyRingError, parseLinkKeyRing } from "../render/link-keys.js";
import { EnvironmentError } from "./env.js";

/** Where the link signing keys are: the variables of `linkSecretEnvShape`. */
export interface LinkSecretSource {
  readonly LINK_SECRET_ARN?: string | undefined;
  readonly LINK_SECRET_FILE?: string | undefined;
}

/** Seconds the secret is cached per container (Powertools): a rotation shows within this. */
export const LINK_SECRET_MAX_AGE_SECONDS = 300;

/** How {@link loadLinkKeys} reads. */
export interface LoadLinkKeysOptions {
  /** Seconds the value is cached. @default 300 */
  readonly maxAge?: number;
  /** Read the store itself, past the cache (and refill the cache). @default false */
  readonly fresh?: boolean;
}

/**
 * Loads the key ring of signed links: from the file (local stack, read on every call) or the Secrets Manager
 * secret (AWS, through Powertools, cached for `maxAge` seconds so a rotation is picked up without a redeploy;
 * `fresh` bypasses the cache). A plain-string value (from before key rings) is the one legacy key `k0`. A value
 * that is neither, or a key shorter than 32 bytes, is an {@link EnvironmentError} naming the rule.
 */
export async function loadLinkKeys(
  source: LinkSecretSource,
  options: LoadLinkKeysOptions = {},
): Promise<LinkKeyRing> {
  let secret: string | undefined;
  let where = "";
  if (source.LINK_SECRET_FILE !== undefined) {
    secret = await readFile(source.LINK_SECRET_FILE, "utf8");
    where = `LINK_SECRET_FILE ${source.LINK_SECRET_FILE}`;
  } else if (source.LINK_SECRET_ARN !== undefined) {
    const value = await getSecret(source.LINK_SECRET_ARN, {
      maxAge: options.maxAge ?? LINK_SECRET_MAX_AGE_SECONDS,
      forceFetch: options.fresh === true,
    });
    secret = typeof value === "string" ? value : undefined;
    where = `LINK_SECRET_ARN ${source.LINK_SECRET_ARN}`;
  }
  if (secret === undefined)
    throw new EnvironmentError("no link secret: set LINK_SECRET_ARN or LINK_SECRET_FILE");
  try {
    return parseLinkKeyRing(secret);
  } catch (error) {
    if (error instanceof LinkKeyRingError) throw new EnvironmentError(`${where}: ${error.message}`);
    throw error;
  }
}
