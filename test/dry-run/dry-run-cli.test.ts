import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dryRunLines, writeSamples } from "#cli/campaign-dry-run.js";
import { proposedDefinitions } from "#cli/dry-run-definitions.js";
import type { DryRunReport } from "#shared/app/dry-run/dry-run-campaign.js";
import { emptyCounts } from "#shared/app/dry-run/dry-run-session.js";
import { CampaignDefinitionError } from "#shared/templates/campaign-files.js";

const folders: string[] = [];
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tailor-dry-run-cli-"));
  folders.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TEMPLATES = {
  campaignsDir: "templates/campaigns",
  segmentsDir: "templates/segments",
  emailsDir: "templates/emails",
};

const report: DryRunReport = {
  ...emptyCounts(),
  campaignId: "newsletter",
  occurrence: "2026-11-23T10:00:00.000Z",
  segmentId: "high-engagement",
  source: "scan",
  sourceReason: "the membership index was never rebuilt",
  complete: true,
  read: 40,
  members: 20,
  decided: 20,
  wouldSend: 7,
  byVariant: { b: 3, a: 4 },
  skipped: { "no email address": 4, "suppressed: unsubscribed": 9 },
  deferred: { "quiet hours": 2 },
  samples: [
    {
      customerId: "c/1",
      to: "c1@example.com",
      variant: "a",
      sendKey: "k",
      subject: "Hello",
      html: "<html>hi</html>",
      text: "hi",
    },
  ],
};

describe("tailor campaign dry-run's output", () => {
  it("prints the counts by variant and the reasons, most frequent first", () => {
    const lines = dryRunLines({ kind: "tick", report }, "/tmp/samples");
    expect(lines[0]).toBe(
      "dry run of newsletter, tick 2026-11-23T10:00:00.000Z (nothing sent, nothing written)",
    );
    expect(lines).toContain("  would send 7 (a 4, b 3), hold out 0");
    const skips = lines.filter((line) => line.includes("skip "));
    expect(skips).toEqual(["    skip 9: suppressed: unsubscribed", "    skip 4: no email address"]);
    expect(lines).toContain("    defer 2: quiet hours");
    expect(lines.at(-1)).toBe("  1 rendered sample(s) in /tmp/samples");
  });

  it("writes each sample as HTML and as text with its subject, under a file-safe name", () => {
    const dir = temp();
    writeSamples(report, dir);
    expect(readdirSync(dir).sort()).toEqual(["01-c_1-a.html", "01-c_1-a.txt"]);
    expect(readFileSync(path.join(dir, "01-c_1-a.txt"), "utf8")).toBe(
      "To: c1@example.com\nSubject: Hello\nVariant: a\n\nhi",
    );
  });
});

describe("proposed definitions", () => {
  it("a segment file takes the place of the definition of its id; the rest stay as they are", () => {
    const dir = temp();
    const file = path.join(dir, "high-engagement.json");
    writeFileSync(
      file,
      JSON.stringify({
        id: "high-engagement",
        name: "Everyone",
        version: 9,
        rule: { trait: { path: "email", exists: true } },
      }),
    );
    const proposed = proposedDefinitions({ ...TEMPLATES, segmentFile: file });
    expect(proposed.segments?.byId.get("high-engagement")?.version).toBe(9);
    expect(proposed.segments?.byId.has("champions")).toBe(true);
    expect(proposed.library?.byId.has("newsletter")).toBe(true);
  });

  it("a campaign file that names an unknown template is refused with the loader's problems", () => {
    const dir = temp();
    const file = path.join(dir, "newsletter.yaml");
    const current = readFileSync("templates/campaigns/newsletter.yaml", "utf8");
    writeFileSync(file, current.replace("template: newsletter", "template: no-such-template"));
    expect(() => proposedDefinitions({ ...TEMPLATES, campaignFile: file })).toThrow(CampaignDefinitionError);
    expect(() => proposedDefinitions({ ...TEMPLATES, campaignFile: path.join(dir, "gone.yaml") })).toThrow(
      /--campaign-file: no file/,
    );
  });
});
