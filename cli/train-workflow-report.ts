import type { RecommenderRunReport, TrainingRunReport } from "#shared/app/training/run-training-workflow.js";

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
    if (model.model === "recommendations") {
      lines.push("", ...recommenderRunLines(model));
      continue;
    }
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

/** The lines of the recommender's run: its table, precision and recall@10 against popularity and the one in service. */
export function recommenderRunLines(run: RecommenderRunReport): string[] {
  const l = run.evaluation.lists;
  const inService =
    l.inService === undefined
      ? "none in service"
      : `in service ${l.inService.version}: ${fixed(l.inService.precisionAt10)} / ${fixed(l.inService.recallAt10)}`;
  return [
    `recommendations candidate ${run.version} (item co-occurrence, ${run.candidate.items} products with neighbours, ` +
      `${run.candidate.baskets} baskets, ${(run.candidate.bytes / 1024).toFixed(0)} KB; hold-out ${l.holdoutCustomers} customers, ` +
      `${l.scoredCustomers} bought something new)`,
    `  precision@10 ${fixed(l.precisionAt10)}   recall@10 ${fixed(l.recallAt10)}   popularity ` +
      `${fixed(l.popularity.precisionAt10)} / ${fixed(l.popularity.recallAt10)}   ${inService}`,
    `  ${run.evaluation.promote ? "PROMOTED" : "REFUSED"}: ${run.evaluation.reason}`,
    `  in service now: ${run.current ?? "none"}`,
  ];
}
