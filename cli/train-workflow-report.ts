import type { TrainingRunReport } from "#shared/app/training/run-training-workflow.js";

const fixed = (n: number | null | undefined, digits = 3) =>
  n === null || n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(digits);

/** The lines `tailor train` prints for a run of the training workflow (XGBoost propensity models). */
export function workflowLines(report: TrainingRunReport): string[] {
  const f = report.features;
  const lines = [
    `feature table: ${f.rows.train} training rows, ${f.rows.validation} validation, ${f.rows.holdout} hold-out ` +
      `(${f.customers} customers${f.sampledOut > 0 ? `, ${f.sampledOut} left out of the sample` : ""}` +
      `${f.invalid > 0 ? `, ${f.invalid} invalid records not learned from` : ""}); ` +
      `label windows ${fixed(f.windows.purchaseDays, 1)} / ${fixed(f.windows.churnDays, 1)} days`,
  ];
  for (const model of report.models) {
    const m = model.evaluation.metrics;
    const inService =
      m.inService === undefined
        ? "none in service"
        : `in service ${m.inService.version}: ${fixed(m.inService.rocAuc)}`;
    lines.push(
      "",
      `${model.model} candidate ${model.version} (XGBoost, ${model.trees} trees; hold-out ${m.holdoutRows} rows)`,
      `  ROC-AUC ${fixed(m.rocAuc)}   recency baseline ${fixed(m.recencyRocAuc)}   ${inService}`,
      `  average precision ${fixed(m.averagePrecision)}   Brier ${fixed(m.brier, 4)}` +
        (m.inService === undefined ? "" : ` (in service ${fixed(m.inService.brier, 4)})`),
      `  ${model.evaluation.promote ? "PROMOTED" : "REFUSED"}: ${model.evaluation.reason}`,
      `  in service now: ${model.current ?? "none"}`,
    );
  }
  return lines;
}

/** 0 when every candidate went into service, 3 when one was refused (the model in service is kept). */
export function workflowExitCode(report: TrainingRunReport): number {
  return report.models.every((model) => model.evaluation.promote) ? 0 : 3;
}
