import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { standInShortLink } from "#shared/render/short-link-token.js";
import type { SmsRenderer } from "#shared/render/sms-templates.js";

const safeName = (text: string) => text.replace(/[^a-zA-Z0-9._-]+/g, "_").slice(0, 80);

/**
 * The SMS part of `tailor preview`: each SMS template rendered for each recipient, written to
 * `sms/<template>/<recipient>.txt` with its links shortened as sent (a stand-in token of the real length), with a
 * line per text giving its encoding, segment count and size (or why it
 * failed: over its limit, a merge tag without a fallback). Resolves how many failed.
 */
export function previewSms(
  renderer: SmsRenderer,
  names: readonly string[],
  recipients: readonly { readonly name: string; readonly context: object }[],
  outDir: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): number {
  let failed = 0;
  for (const name of names) {
    const dir = path.join(outDir, "sms", name);
    mkdirSync(dir, { recursive: true });
    for (const recipient of recipients) {
      // Links as sent: a short link of the real length (its token a stand-in).
      const out = renderer.render(name, recipient.context, () => standInShortLink());
      if (!out.ok) {
        failed++;
        write(`failed: ${out.error.message} (${recipient.name})`);
        continue;
      }
      const file = path.join(dir, `${safeName(recipient.name)}.txt`);
      writeFileSync(file, `${out.sms.body}\n`);
      const { encoding, segments, units } = out.sms.segments;
      const size = `${units} ${encoding === "GSM-7" ? "septets" : "code units"}`;
      write(
        `sms ${name} · ${recipient.name}: ${encoding}, ${segments} segment${segments === 1 ? "" : "s"} (${size}) ${file}`,
      );
    }
  }
  return failed;
}
