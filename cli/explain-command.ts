import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { type Explanation, explainProfile } from "#shared/app/console/explain-profile.js";
import { mergedInto } from "#shared/app/identity/merged-into.js";
import { openHourPriorOf } from "#shared/app/send-time/cached-open-hour-prior.js";
import { clockSkewNote, type Profile } from "#shared/domain/profile/index.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";
import { engagementLines, engagementView } from "./engagement-lines.js";
import { identityGraph, identityLines } from "./identity-lines.js";
import { missingTables, readLibrary } from "./segment-library.js";
import { SENDS_LOOKBACK_MS, sendLines } from "./sends-view.js";

export { type Explanation, explainProfile };

/**
 * The explanations as text: members first, each with its reason tree indented. `profile`, when given, adds
 * what the verdicts rest on that the reasons do not show (events whose time was clamped, see `clockSkewNote`).
 */
export function explanationLines(
  customerId: string,
  now: number,
  explanations: readonly Explanation[],
  profile?: Pick<Profile, "sk">,
): string[] {
  const members = explanations.filter((e) => e.member).length;
  const ordered = [...explanations].sort((a, b) => Number(b.member) - Number(a.member));
  const lines = [
    `${customerId} at ${new Date(now).toISOString()}: in ${members} of ${explanations.length} segments`,
  ];
  const skew = profile === undefined ? undefined : clockSkewNote(profile);
  if (skew !== undefined) lines.push(`note: ${skew}`);
  for (const e of ordered) {
    // The stored membership lags the verdict until the customer's timer fires (or an event arrives).
    const stored =
      e.member === (e.storedSince !== null)
        ? ""
        : e.member
          ? "; not stored yet"
          : "; still stored as a member";
    const since = e.member && e.storedSince !== null ? `; member since ${e.storedSince}` : "";
    lines.push("", `${e.member ? "IN " : "OUT"}  ${e.segmentId} (${e.name}, v${e.version})${since}${stored}`);
    for (const line of e.text.split("\n")) lines.push(`     ${line}`);
  }
  return lines;
}

/** `tailor explain <customerId> [--json] [--at ISO]`. */
export async function explainCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      at: { type: "string" },
      "data-dir": { type: "string" },
      "segments-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [asked, ...extra] = positionals;
  if (asked === undefined || extra.length > 0) {
    throw new LocalStackError("usage: tailor explain <customerId> [--json] [--at ISO-time] [--data-dir D]");
  }
  const at = stringFlag(values.at);
  const now = at === undefined ? Date.now() : Date.parse(at);
  if (!Number.isFinite(now)) throw new LocalStackError(`--at: not a date and time: "${at}"`);
  const library = readLibrary(stringFlag(values["segments-dir"]));
  const dataDir = stringFlag(values["data-dir"]);
  // Loaded once the arguments are checked: a usage error does not wait for the AWS SDK.
  const [
    { DynamoProfileStore },
    { DynamoSegmentStore },
    { DynamoSendLedger },
    { openDynamo },
    { DynamoOpenHourPriorStore },
  ] = await Promise.all([
    import("#shared/aws/dynamo-profile-store.js"),
    import("#shared/aws/dynamo-segment-store.js"),
    import("#shared/aws/dynamo-send-ledger.js"),
    import("./stack-access.js"),
    import("#shared/aws/dynamo-open-hour-prior-store.js"),
  ]);
  const access = await openDynamo(dataDir);
  try {
    const profiles = new DynamoProfileStore({ client: access.client, tableName: LOCAL_NAMES.profileTable });
    const segments = new DynamoSegmentStore({ client: access.client, tableName: LOCAL_NAMES.segmentsTable });
    const missing = missingTables("profiles or segments table", dataDir);
    const ledger = new DynamoSendLedger({ client: access.client, tableName: LOCAL_NAMES.sendLedgerTable });
    // Any id of a customer: a merged id resolves to the customer it joined.
    const customerId = (await mergedInto(profiles, asked).catch(missing)) ?? asked;
    const priors = new DynamoOpenHourPriorStore({
      client: access.client,
      tableName: LOCAL_NAMES.segmentsTable,
    });
    const [stored, rfm, sends, prior] = await Promise.all([
      profiles.get(customerId).catch(missing),
      segments.rfmThresholds().catch(missing),
      // A data dir from before campaigns has no ledger table: no sends to show.
      ledger.recent(customerId, now - SENDS_LOOKBACK_MS, 100).catch(() => []),
      // The prior dispatch would use now (the same choice and fallback).
      openHourPriorOf(priors),
    ]);
    if (stored === undefined) {
      return nothingFound("explain", `no profile for ${asked}`, "check the id (erased customers have none)");
    }
    const explanations = explainProfile(library, stored.profile, now, rfm === undefined ? {} : { rfm });
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ customerId, ...(asked === customerId ? {} : { asked }), at: new Date(now).toISOString(), clock: clockSkewNote(stored.profile) ?? null, identities: identityGraph(stored.profile), engagement: engagementView(stored.profile, now, prior), segments: explanations, sends }, null, 2)}\n`
        : `${[...(asked === customerId ? [] : [`${asked} was merged into ${customerId}`]), ...explanationLines(customerId, now, explanations, stored.profile), "", ...identityLines(stored.profile), ...engagementLines(engagementView(stored.profile, now, prior)), "", ...sendLines(sends)].join("\n")}\n`,
    );
    return 0;
  } finally {
    await access.close();
  }
}
