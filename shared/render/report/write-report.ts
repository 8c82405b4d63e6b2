import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ExperimentReport } from "#shared/domain/experiments/report-model.js";
import { renderReportHtml } from "./report-html.js";

/**
 * Renders the report and writes it to `path` (parent folders created), as one self-contained HTML file.
 * `generatedAt` defaults to now: this is the edge where the clock may be read.
 */
export async function writeReport(
  model: ExperimentReport,
  path: string,
  generatedAt: Date = new Date(),
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReportHtml(model, { generatedAt }), "utf8");
}
