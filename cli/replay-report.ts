import type { ReplaySummary } from "#shared/app/replay-archive.js";
import { count, preview } from "./format.js";

/**
 * What `tailor replay` prints when it ends: what it read, put (or would put, in a dry run), skipped, and every
 * line or object it could not use, named (the summary holds the first 100 of each).
 */
export function formatReplaySummary(summary: ReplaySummary, where: string): string {
  const lines = [
    `tailor replay${summary.dryRun ? " --dry-run" : ""}: ${where}`,
    `  objects read       ${count(summary.objects)}`,
    `  records in range   ${count(summary.read)}`,
    summary.dryRun
      ? `  would put          ${count(summary.read - summary.skipped)} (dry run: nothing put)`
      : `  put                ${count(summary.put)} in ${count(summary.calls)} calls (${count(summary.retried)} refusals retried)`,
    `  outside the range  ${count(summary.outsideRange)} (in the objects of the hours either side; left alone)`,
    ...(summary.otherShards > 0
      ? [`  other shards       ${count(summary.otherShards)} (in the range, not of --shard; left alone)`]
      : []),
    `  skipped            ${count(summary.skipped)}`,
    `  bad lines          ${count(summary.badLines)}`,
    `  unreadable objects ${count(summary.unreadableObjects.length)}`,
  ];
  for (const record of summary.skippedRecords) {
    const sub = record.subsequenceNumber === undefined ? "" : `/${record.subsequenceNumber}`;
    lines.push(
      `  skipped ${record.shardId} ${record.sequenceNumber}${sub} (${record.object}): ${record.reason}`,
    );
  }
  if (summary.skipped > summary.skippedRecords.length) {
    lines.push(`  … and ${count(summary.skipped - summary.skippedRecords.length)} more skipped`);
  }
  for (const bad of summary.badLineList) {
    lines.push(`  bad line ${bad.object}:${bad.line}: ${preview(bad.reason, 160)}`);
  }
  if (summary.badLines > summary.badLineList.length) {
    lines.push(`  … and ${count(summary.badLines - summary.badLineList.length)} more bad lines`);
  }
  for (const object of summary.unreadableObjects) {
    lines.push(`  unreadable ${object.object}: ${preview(object.reason, 160)}`);
  }
  return `${lines.join("\n")}\n`;
}
