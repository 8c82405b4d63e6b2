import { readFileSync } from "node:fs";
import { LocalStackError } from "./local-errors.js";

/**
 * The variable naming a file that holds the synthesised template as JSON, read instead of synthesising the app
 * (a test run synthesises once in its global setup and hands the file to every test file and CLI it starts).
 */
export const TEMPLATE_FILE_VARIABLE = "TAILOR_TEMPLATE_FILE";

/**
 * The CloudFormation template of the Tailor stack the local stack reads by default: the file named by
 * `TAILOR_TEMPLATE_FILE` when it is set (an unreadable file fails with its name), else `synthTemplate()` of
 * `infra/app.ts`, the CDK app synthesised in-process without bundling, with SMS on (`LOCAL_SMS_SETTINGS`).
 */
export async function stackTemplate(env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const file = env[TEMPLATE_FILE_VARIABLE];
  if (file === undefined || file === "") {
    const [{ synthTemplate }, { LOCAL_SMS_SETTINGS }] = await Promise.all([
      import("../app.js"),
      import("../local-settings.js"),
    ]);
    return synthTemplate(LOCAL_SMS_SETTINGS);
  }
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new LocalStackError(`${TEMPLATE_FILE_VARIABLE}=${file}: not a readable JSON template`, error);
  }
}
