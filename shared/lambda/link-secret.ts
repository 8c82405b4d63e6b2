import { readFile } from "node:fs/promises";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { MIN_SECRET_BYTES } from "../render/signed-links.js";
import { EnvironmentError } from "./env.js";

/** Where the link signing key is: the variables of `linkSecretEnvShape`. */
export interface LinkSecretSource {
  readonly LINK_SECRET_ARN?: string | undefined;
  readonly LINK_SECRET_FILE?: string | undefined;
}

/**
 * Loads the HMAC key of signed links: from the file (local stack) or the Secrets Manager secret (AWS, through
 * Powertools, cached for `maxAge` seconds so a rotation is picked up without a redeploy). Refuses a key shorter
 * than {@link MIN_SECRET_BYTES}.
 */
export async function loadLinkSecret(source: LinkSecretSource, maxAge = 300): Promise<string> {
  let secret: string | undefined;
  if (source.LINK_SECRET_FILE !== undefined) {
    secret = (await readFile(source.LINK_SECRET_FILE, "utf8")).trim();
  } else if (source.LINK_SECRET_ARN !== undefined) {
    const value = await getSecret(source.LINK_SECRET_ARN, { maxAge });
    secret = typeof value === "string" ? value : undefined;
  }
  if (secret === undefined)
    throw new EnvironmentError("no link secret: set LINK_SECRET_ARN or LINK_SECRET_FILE");
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new EnvironmentError(`the link secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return secret;
}
