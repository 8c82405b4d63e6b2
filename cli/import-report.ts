import { writeFileSync } from "node:fs";
import { count, duration, rate } from "./format.js";
import type { Refusal } from "./import-mapping.js";
import type { ImportProgress, ImportReport } from "./import-run.js";
import { bar } from "./progress-line.js";

/** Refusals shown on the terminal; all of them go to the report file. */
export const REFUSALS_SHOWN = 20;

const seconds = (ms: number) => Math.max(ms, 1) / 1000;

/** The progress line: the phase, a bar, rows read or customers written, the rate and (writing) the ETA. */
export function progressText(progress: ImportProgress, now: number): string {
  const elapsed = seconds(now - progress.startedAt);
  if (progress.phase === "reading") {
    return (
      `reading ${bar(progress.bytesRead, progress.totalBytes, false)}  ${count(progress.rowsRead)} rows, ` +
      `${count(progress.customers)} customers  ${rate(progress.rowsRead, elapsed)}`
    );
  }
  const done = progress.customersDone;
  const left = progress.customers - done;
  const perSecond = done / elapsed;
  const eta = perSecond > 0 ? `  ETA ${duration((left / perSecond) * 1000)}` : "";
  return (
    `writing ${bar(done, progress.customers, false)}  ${count(done)} of ${count(progress.customers)} customers ` +
    `written  ${rate(done, elapsed)}${eta}`
  );
}

const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Writes every refusal as CSV (`line,field,rule,message`) to `file`. */
export function writeRefusals(file: string, refused: readonly Refusal[]): void {
  const lines = refused.map((r) => [r.line, r.field, r.rule, r.message].map(csvField).join(","));
  writeFileSync(file, `line,field,rule,message\n${lines.join("\n")}\n`);
}

/** The summary printed at the end (the first {@link REFUSALS_SHOWN} refusals included). */
export function reportLines(file: string, report: ImportReport, refusedFile: string | undefined): string[] {
  const lines = [
    `imported ${count(report.rowsImported)} of ${count(report.rows)} rows of ${file} in ${duration(report.elapsedMs)} ` +
      `(${rate(report.rows, seconds(report.elapsedMs))}): ${count(report.customers)} customers, ` +
      `${count(report.orders)} orders, ${count(report.events)} events`,
    `  profiles: ${count(report.profilesWritten)} written, ${count(report.profilesUnchanged)} unchanged ` +
      `(already imported); ${count(report.duplicates)} events already applied` +
      (report.erased > 0 ? `; ${count(report.erased)} events dropped (erased customers)` : ""),
    "  history starts no journey and sends nothing: no welcome, abandonment, win-back or segment-entry email",
  ];
  if (report.refused.length > 0) {
    const rows = new Set(report.refused.map((r) => r.line)).size;
    lines.push(
      `  refused ${count(rows)} rows${refusedFile === undefined ? "" : ` (all of them in ${refusedFile})`}:`,
    );
    for (const r of report.refused.slice(0, REFUSALS_SHOWN)) {
      lines.push(`    line ${r.line}: ${r.field === "" ? "" : `${r.field}: `}${r.message} [${r.rule}]`);
    }
    if (report.refused.length > REFUSALS_SHOWN) {
      lines.push(`    … and ${count(report.refused.length - REFUSALS_SHOWN)} more`);
    }
  }
  return lines;
}
