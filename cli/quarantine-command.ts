import { parseArgs } from "node:util";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { stringFlag } from "./cli-options.js";
import { preview } from "./format.js";
import { explainMissing, openS3 } from "./stack-access.js";
import { readQuarantined } from "./stack-counts.js";

/** `tailor quarantine [--json]`: the malformed records, with their raw bytes and the reason. */
export async function quarantineCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { json: { type: "boolean", default: false }, "data-dir": { type: "string" } },
    strict: true,
  });
  const dataDir = stringFlag(values["data-dir"]);
  const access = await openS3(dataDir);
  try {
    const { records, unreadable } = await readQuarantined(access.client, LOCAL_NAMES.quarantineBucket).catch(
      (error: unknown) => explainMissing(error, "quarantine bucket", dataDir),
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    } else {
      const lines = records.flatMap((r) => [
        `${new Date(r.approximateArrivalTimestamp).toISOString()}  ${r.shardId ?? "?"}/${r.sequenceNumber}  ` +
          `key ${r.partitionKey}`,
        `  reason: ${r.reason}`,
        `  raw:    ${preview(Buffer.from(r.rawBase64, "base64").toString("utf8"), 100)}`,
      ]);
      lines.push(
        `${records.length} quarantined record${records.length === 1 ? "" : "s"} in s3://${LOCAL_NAMES.quarantineBucket}`,
      );
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    for (const key of unreadable) process.stderr.write(`not a quarantine record: ${key}\n`);
    return 0;
  } finally {
    await access.close();
  }
}
