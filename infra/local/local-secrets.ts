import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataSubdir } from "./data-dir.js";
import { LocalStackError } from "./local-errors.js";

/** Characters of a generated local secret (what Secrets Manager's `GenerateSecretString` would give: 48). */
export const LOCAL_SECRET_LENGTH = 48;

/**
 * The file holding the local value of the secret `name` under `<dataDir>/secrets`: created once with a random
 * {@link LOCAL_SECRET_LENGTH}-character value — put under `generateInto.key` of its JSON template when the
 * template gives one, as `GenerateSecretString` does (the link key ring: `{"current":"k1","k1":"…"}`) — readable
 * by the owner only (mode 0600), and kept across runs so that links signed by an earlier run still verify (a
 * file made before key rings keeps its plain value: the legacy key).
 */
export function localSecretFile(
  dataDir: string,
  name: string,
  generateInto?: { readonly template: string; readonly key: string },
): string {
  if (!/^[\w.+=@/-]+$/.test(name) || name.includes("..")) {
    throw new LocalStackError(`cannot keep a secret named "${name}" in a file`);
  }
  const file = path.join(dataSubdir(dataDir, "secrets"), name.replaceAll("/", "_"));
  if (!existsSync(file)) {
    // 36 random bytes are 48 base64url characters, each equally likely.
    const generated = randomBytes((LOCAL_SECRET_LENGTH * 3) / 4).toString("base64url");
    const value = generateInto === undefined ? generated : generatedInto(generateInto, generated);
    try {
      writeFileSync(file, value, { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process created it in the meantime: keep theirs.
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST"))
        throw error;
    }
  }
  chmodSync(file, 0o600);
  if (readFileSync(file, "utf8").trim() === "") throw new LocalStackError(`the secret file ${file} is empty`);
  return file;
}

/** `generated` under `key` of the JSON object `template`. */
function generatedInto(into: { readonly template: string; readonly key: string }, generated: string): string {
  const template: unknown = JSON.parse(into.template);
  if (typeof template !== "object" || template === null || Array.isArray(template)) {
    throw new LocalStackError(`SecretStringTemplate must be a JSON object, got ${into.template}`);
  }
  return JSON.stringify({ ...template, [into.key]: generated });
}
