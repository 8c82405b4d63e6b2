import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseSmsTemplate, type SmsTemplate } from "../render/sms-templates.js";

/** The SMS templates of a templates folder: `sms/<name>.liquid`; none when the folder has no `sms`. */
export function loadSmsTemplates(templatesDir: string): SmsTemplate[] {
  const dir = path.join(templatesDir, "sms");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(".liquid"))
    .sort()
    .map((file) =>
      parseSmsTemplate(path.basename(file, ".liquid"), readFileSync(path.join(dir, file), "utf8")),
    );
}
