/**
 * The experiment report as one self-contained HTML page (inline CSS and SVG, no scripts).
 *
 * @module
 */
export { escapeHtml } from "./escape-html.js";
export { type ReportHtmlOptions, renderReportHtml } from "./report-html.js";
export { liftChart, rateChart } from "./svg-charts.js";
export { writeReport } from "./write-report.js";
