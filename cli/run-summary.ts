import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { count } from "./format.js";
import { type IdentityTally, tallyIdentities } from "./identity-summary.js";
import type { LedgerTally, RecipientTally } from "./recipients-loop.js";
import { countProfiles, identityItems, quarantineKeys } from "./stack-counts.js";

/**
 * Profile and quarantine counts, and what identity resolution merged and refused, read with clients configured
 * by the environment the stack set.
 */
export function tallies() {
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({});
  return {
    read: async () => ({
      profiles: await countProfiles(dynamo, LOCAL_NAMES.profileTable),
      quarantined: (await quarantineKeys(s3, LOCAL_NAMES.quarantineBucket)).length,
    }),
    identities: async (): Promise<IdentityTally> =>
      tallyIdentities(await identityItems(dynamo, LOCAL_NAMES.profileTable)),
    close: () => {
      dynamo.destroy();
      s3.destroy();
    },
  };
}

/** The ledger's decisions and the recipients' reactions as summary lines. */
export function campaignLines(played: RecipientTally | undefined, ledger: LedgerTally): string[] {
  const sent = ledger.byOutcome.get("sent") ?? 0;
  const notSent = [...ledger.byOutcome.entries()].filter(([outcome]) => outcome !== "sent");
  const byCampaign = [...ledger.byCampaign.entries()].sort((a, b) => b[1] - a[1]);
  const lines = [
    `  emails sent      ${count(sent)}${byCampaign.length > 0 ? ` (${byCampaign.map(([c, n]) => `${c} ${count(n)}`).join(", ")})` : ""}`,
  ];
  if (notSent.length > 0) {
    lines.push(`  not sent         ${notSent.map(([outcome, n]) => `${count(n)} ${outcome}`).join(" · ")}`);
    for (const [reason, n] of ledger.reasons) lines.push(`                   ${count(n)} × ${reason}`);
  }
  if (played !== undefined) {
    lines.push(
      `  recipients       ${count(played.delivered)} delivered · ${count(played.opened)} opened · ` +
        `${count(played.clicked)} clicked · ${count(played.orders)} orders · ${count(played.bounced)} bounced · ` +
        `${count(played.complained)} complaints`,
    );
  }
  return lines;
}

/** The pollers' counters summed over the stack's streams. */
export function sumCounters(stack: LocalStack) {
  const sum = { records: 0, batches: 0, failures: 0, retries: 0, discarded: 0, lagMs: 0, shards: 0 };
  for (const poller of stack.pollers) {
    const c = poller.counters;
    sum.records += c.records;
    sum.batches += c.batches;
    sum.failures += c.failures;
    sum.retries += c.retries;
    sum.discarded += c.discarded;
    sum.shards += c.shards;
    sum.lagMs = Math.max(sum.lagMs, c.lagMs);
  }
  return { ...sum, bisects: 0, buffered: 0 };
}
