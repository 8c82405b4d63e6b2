import type { ArmView, Comparison, Metric, RateView } from "#shared/domain/experiments/report-model.js";
import { formatPoints } from "#shared/domain/experiments/report-model.js";
import { escapeHtml } from "./escape-html.js";
import { formatPercent } from "./format.js";

const WIDTH = 360;
const LABEL = 84;
const VALUE = 64;
const ROW = 30;
const TOP = 10;
const AXIS = 22;
const PLOT = WIDTH - LABEL - VALUE;

/** Colour of an arm: the control in blue, other variants in distinct hues, the holdout in grey. */
export function armColour(arm: Pick<ArmView, "role">, index: number): string {
  if (arm.role === "holdout") return "#8a8f98";
  if (arm.role === "control") return "#3566c8";
  const palette = ["#d9822b", "#2f9e6b", "#9b51c4", "#c4515d", "#2a9bb0"];
  return palette[index % palette.length] ?? "#d9822b";
}

const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

function rateOf(arm: ArmView, metric: Metric): RateView | undefined {
  return metric === "opens" ? arm.opens : metric === "clicks" ? arm.clicks : arm.conversions;
}

/**
 * A horizontal bar chart of one rate per arm, each bar with its confidence interval as a whisker. Scales to
 * its container (viewBox, no fixed size); every label is escaped.
 */
export function rateChart(arms: readonly ArmView[], metric: Metric, title: string): string {
  const rows = arms.flatMap((arm, index) => {
    const rate = rateOf(arm, metric);
    return rate === undefined ? [] : [{ arm, rate, colour: armColour(arm, index) }];
  });
  const top = Math.max(0.0001, ...rows.map((r) => r.rate.interval.upper)) * 1.05;
  const x = (v: number): number => LABEL + (Math.min(v, top) / top) * PLOT;
  const height = TOP + rows.length * ROW + AXIS;
  const bars = rows.map(({ arm, rate, colour }, i) => {
    const y = TOP + i * ROW;
    const mid = y + ROW / 2;
    return [
      `<text x="${LABEL - 8}" y="${fixed(mid + 4)}" text-anchor="end" class="label">${escapeHtml(arm.label)}</text>`,
      `<rect x="${LABEL}" y="${y + 6}" width="${fixed(Math.max(0.5, x(rate.rate) - LABEL))}" height="${ROW - 12}" fill="${colour}" rx="2"/>`,
      `<line x1="${fixed(x(rate.interval.lower))}" x2="${fixed(x(rate.interval.upper))}" y1="${mid}" y2="${mid}" class="whisker"/>`,
      `<line x1="${fixed(x(rate.interval.lower))}" x2="${fixed(x(rate.interval.lower))}" y1="${mid - 6}" y2="${mid + 6}" class="whisker"/>`,
      `<line x1="${fixed(x(rate.interval.upper))}" x2="${fixed(x(rate.interval.upper))}" y1="${mid - 6}" y2="${mid + 6}" class="whisker"/>`,
      `<text x="${WIDTH - 4}" y="${fixed(mid + 4)}" text-anchor="end" class="value">${escapeHtml(formatPercent(rate.rate))}</text>`,
    ].join("");
  });
  const axisY = TOP + rows.length * ROW;
  const axis = [
    `<line x1="${LABEL}" x2="${LABEL + PLOT}" y1="${axisY}" y2="${axisY}" class="axis"/>`,
    `<text x="${LABEL}" y="${axisY + 16}" class="tick">0 %</text>`,
    `<text x="${LABEL + PLOT}" y="${axisY + 16}" text-anchor="end" class="tick">${escapeHtml(formatPercent(top))}</text>`,
  ].join("");
  return (
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `${bars.join("")}${axis}</svg></figure>`
  );
}

/**
 * A lift chart ("forest plot"): each comparison's difference in points with its confidence interval, around a
 * zero line; green when the interval lies above 0, red below, grey when it straddles 0.
 */
export function liftChart(
  comparisons: readonly Comparison[],
  labels: ReadonlyMap<string, string>,
  title: string,
): string {
  // Each row: the comparison's name and value on one line, its interval below, so it reads on a phone.
  const row = 40;
  const pad = 8;
  const extent = Math.max(
    0.001,
    ...comparisons
      .flatMap((c) => [Math.abs(c.interval.lower), Math.abs(c.interval.upper)])
      .filter(Number.isFinite),
  );
  const x = (v: number): number =>
    pad + ((Math.max(-extent, Math.min(extent, v)) + extent) / (2 * extent)) * (WIDTH - 2 * pad);
  const height = TOP + comparisons.length * row + AXIS;
  const zero = x(0);
  const rows = comparisons.map((c, i) => {
    const y = TOP + i * row;
    const line = y + 27;
    const baseline = c.against === "holdout" ? "holdout" : (labels.get(c.baseline) ?? c.baseline);
    const name = `${labels.get(c.treatment) ?? c.treatment} vs ${baseline} · ${c.metric}`;
    const tone = c.interval.lower > 0 ? "up" : c.interval.upper < 0 ? "down" : "flat";
    return [
      `<text x="${pad}" y="${y + 12}" class="label">${escapeHtml(name)}</text>`,
      `<text x="${WIDTH - pad}" y="${y + 12}" text-anchor="end" class="value">${escapeHtml(`${formatPoints(c.difference)} pts`)}</text>`,
      `<line x1="${fixed(x(c.interval.lower))}" x2="${fixed(x(c.interval.upper))}" y1="${line}" y2="${line}" class="ci ${tone}"/>`,
      `<circle cx="${fixed(x(c.difference))}" cy="${line}" r="5" class="point ${tone}"/>`,
    ].join("");
  });
  const axisY = TOP + comparisons.length * row;
  const axis = [
    `<line x1="${fixed(zero)}" x2="${fixed(zero)}" y1="${TOP + 16}" y2="${axisY}" class="zero"/>`,
    `<line x1="${pad}" x2="${WIDTH - pad}" y1="${axisY}" y2="${axisY}" class="axis"/>`,
    `<text x="${pad}" y="${axisY + 16}" class="tick">${escapeHtml(formatPoints(-extent))}</text>`,
    `<text x="${fixed(zero)}" y="${axisY + 16}" text-anchor="middle" class="tick">0</text>`,
    `<text x="${WIDTH - pad}" y="${axisY + 16}" text-anchor="end" class="tick">${escapeHtml(formatPoints(extent))} pts</text>`,
  ].join("");
  return (
    `<figure class="chart wide"><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `${rows.join("")}${axis}</svg></figure>`
  );
}
