import type {
  ArmView,
  CampaignReport,
  Comparison,
  ExperimentReport,
  RevenueLift,
  SectionView,
} from "#shared/domain/experiments/report-model.js";
import { formatCount, formatP, formatPoints } from "#shared/domain/experiments/report-model.js";
import { escapeHtml } from "./escape-html.js";
import { formatMoney, formatPercent, formatRelative } from "./format.js";
import { REPORT_CSS } from "./report-styles.js";
import { armColour, liftChart, rateChart } from "./svg-charts.js";

/** What the page says about itself. */
export interface ReportHtmlOptions {
  /** When the report was made: printed in the header (time is a parameter, never read here). */
  readonly generatedAt: Date;
}

const e = escapeHtml;

function comparisonName(c: Comparison, labels: ReadonlyMap<string, string>): string {
  const baseline = c.against === "holdout" ? "holdout" : (labels.get(c.baseline) ?? c.baseline);
  return `${labels.get(c.treatment) ?? c.treatment} vs ${baseline} · ${c.metric}`;
}

function verdicts(comparisons: readonly Comparison[], labels: ReadonlyMap<string, string>): string {
  if (comparisons.length === 0) return "";
  const items = comparisons.map(
    (c) =>
      `<li class="${c.fixed.outcome}"><span class="what">${e(comparisonName(c, labels))}</span>${e(c.fixed.sentence)}` +
      `<span class="sequential">Always-valid test: ${e(c.sequential.sentence)}</span></li>`,
  );
  return `<ul class="verdicts">${items.join("")}</ul>`;
}

function rateCell(rate: ArmView["opens"]): string {
  if (rate === undefined) return "<td>—</td>";
  return `<td title="${e(`${formatPercent(rate.interval.lower)} – ${formatPercent(rate.interval.upper)}`)}">${e(formatPercent(rate.rate))}</td>`;
}

function armsTable(arms: readonly ArmView[], currency: string | undefined): string {
  const head =
    "<tr><th>Arm</th><th>Sent</th><th>Delivered</th><th>Opens</th><th>Clicks</th><th>Conversions</th>" +
    "<th>Revenue / recipient</th><th>Bounced</th><th>Complaints</th></tr>";
  const rows = arms.map(
    (arm, i) =>
      `<tr><td><span class="swatch" style="background:${armColour(arm, i)}"></span>${e(arm.label)}` +
      `${arm.role === "control" ? " (control)" : ""}</td>` +
      `<td>${e(formatCount(arm.sent))}</td>` +
      `<td>${arm.role === "holdout" ? "—" : e(formatCount(arm.delivered))}</td>` +
      `${rateCell(arm.opens)}${rateCell(arm.clicks)}${rateCell(arm.conversions)}` +
      `<td>${arm.revenuePerRecipientMinor === undefined ? "—" : e(formatMoney(arm.revenuePerRecipientMinor, currency))}</td>` +
      `<td>${arm.role === "holdout" ? "—" : e(formatCount(arm.bounced))}</td>` +
      `<td>${arm.role === "holdout" ? "—" : e(formatCount(arm.complained))}</td></tr>`,
  );
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function comparisonsTable(comparisons: readonly Comparison[], labels: ReadonlyMap<string, string>): string {
  if (comparisons.length === 0) return "";
  const head =
    "<tr><th>Comparison</th><th>Lift</th><th>Interval (pts)</th><th>Relative</th><th>p-value</th><th>Needed per arm</th></tr>";
  const rows = comparisons.map((c) => {
    const name = comparisonName(c, labels);
    return (
      `<tr><td>${e(name)}</td><td>${e(`${formatPoints(c.difference)} pts`)}</td>` +
      `<td>${e(`[${formatPoints(c.interval.lower)}, ${formatPoints(c.interval.upper)}]`)}</td>` +
      `<td>${c.relativeLift === undefined ? "—" : e(formatRelative(c.relativeLift))}</td>` +
      `<td>${e(formatP(c.pValue))}</td>` +
      `<td>${c.requiredPerArm === undefined ? "—" : e(formatCount(c.requiredPerArm))}</td></tr>`
    );
  });
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function revenueTable(
  revenue: readonly RevenueLift[],
  labels: ReadonlyMap<string, string>,
  currency: string | undefined,
): string {
  if (revenue.length === 0) return "";
  const rows = revenue.map((r) => {
    const name = `${labels.get(r.treatment) ?? r.treatment} vs ${r.against === "holdout" ? "holdout" : (labels.get(r.baseline) ?? r.baseline)}`;
    return (
      `<tr><td>${e(name)}</td><td>${e(formatMoney(r.differenceMinor, currency))}</td>` +
      `<td>${r.relativeLift === undefined ? "—" : e(formatRelative(r.relativeLift))}</td></tr>`
    );
  });
  return (
    '<div class="scroll"><table><thead><tr><th>Revenue per recipient</th><th>Difference</th><th>Relative</th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table></div>` +
    '<p class="notes">Revenue lifts are point estimates: totals carry no per-customer spread, so no interval.</p>'
  );
}

function section(view: SectionView, currency: string | undefined): string {
  const labels = new Map(view.arms.map((a) => [a.variant, a.label]));
  const title = view.segment === undefined ? "All customers" : `Segment: ${view.segment}`;
  const mailed = view.arms.filter((a) => a.role !== "holdout");
  const charts = [
    rateChart(mailed, "opens", "Opens per email sent"),
    rateChart(mailed, "clicks", "Clicks per email sent"),
    rateChart(view.arms, "conversions", "Conversions per recipient"),
    view.comparisons.length > 0 ? liftChart(view.comparisons, labels, "Lift, in percentage points") : "",
  ];
  const notes = view.notes.map((n) => `<p class="notes">${e(n)}</p>`).join("");
  return (
    `<h3>${e(title)}</h3>${verdicts(view.comparisons, labels)}<div class="charts">${charts.join("")}</div>` +
    `${armsTable(view.arms, currency)}${comparisonsTable(view.comparisons, labels)}` +
    `${revenueTable(view.revenue, labels, currency)}${notes}`
  );
}

function campaign(report: CampaignReport): string {
  return (
    `<section class="campaign"><h2>${e(report.name)}</h2><p class="id">${e(report.campaignId)}</p>` +
    `${section(report.overall, report.currency)}${report.segments.map((s) => section(s, report.currency)).join("")}</section>`
  );
}

/**
 * Renders the experiment report as ONE self-contained HTML page: inline CSS and inline SVG charts, no scripts,
 * no external assets; every text from the data is escaped.
 */
export function renderReportHtml(model: ExperimentReport, options: ReportHtmlOptions): string {
  const level = `${Math.round(model.confidence * 1000) / 10} %`;
  const meta =
    `Generated ${options.generatedAt.toISOString()} · ${level} confidence · ` +
    `minimum detectable effect ${Math.round(model.minimumDetectableEffect * 1000) / 10} % of the control's rate · ` +
    `power ${Math.round(model.power * 100)} %`;
  const body =
    model.campaigns.length === 0
      ? '<p class="notes">No campaign has data yet.</p>'
      : model.campaigns.map(campaign).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tailor experiment report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><h1>Experiment report</h1><p class="meta">${e(meta)}</p></header>
${body}
<footer>
<p>Rates are per email sent (per customer for the holdout), the unit that was randomised; bars show ${e(level)}
Wilson intervals. The fixed-horizon verdict counts only once each arm has the planned number of sends; before
that it says how many more are needed. The always-valid verdict may be read every day: looking often does not
make it cry wolf more often.</p>
</footer>
</main>
</body>
</html>
`;
}
