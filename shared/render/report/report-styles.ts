/** The report's inline style sheet: no external assets, readable from phone width to a desktop. */
export const REPORT_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;background:#f5f6f8}
main{max-width:1000px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.6rem;margin:0 0 4px}
h2{font-size:1.3rem;margin:0;overflow-wrap:anywhere}
h3{font-size:1.05rem;margin:24px 0 8px;overflow-wrap:anywhere}
.meta,.id{color:#5b6272;font-size:.85rem;margin:0 0 8px;overflow-wrap:anywhere}
.campaign{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:16px;margin:24px 0}
.verdicts{list-style:none;padding:0;margin:0 0 16px}
.verdicts li{border-left:4px solid #8a8f98;background:#f8f9fb;padding:8px 12px;margin:6px 0;overflow-wrap:anywhere}
.verdicts li.better{border-color:#2f9e6b}
.verdicts li.worse{border-color:#c4515d}
.verdicts li.needs-data,.verdicts li.no-data{border-color:#d9a82b}
.verdicts .what{display:block;color:#5b6272;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
.verdicts .sequential{display:block;color:#5b6272;font-size:.85rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;margin:12px 0}
.chart{margin:0;min-width:0;background:#fff;border:1px solid #eceef2;border-radius:6px;padding:8px}
.chart.wide{grid-column:1/-1}
.chart.wide svg{max-width:420px}
.chart figcaption{font-weight:600;font-size:.9rem;margin-bottom:4px}
.chart svg{display:block;width:100%;height:auto}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:#1d2330}
svg .tick{fill:#5b6272;font-size:11px}
svg .whisker{stroke:#1d2330;stroke-width:1.5}
svg .axis{stroke:#b8bec9}
svg .zero{stroke:#5b6272;stroke-dasharray:3 3}
svg .ci{stroke-width:3;stroke-linecap:round}
svg .up{stroke:#2f9e6b;fill:#2f9e6b}
svg .down{stroke:#c4515d;fill:#c4515d}
svg .flat{stroke:#8a8f98;fill:#8a8f98}
.scroll{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:6px 8px;border-bottom:1px solid #eceef2;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{color:#5b6272;font-weight:600}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.notes{color:#5b6272;font-size:.85rem}
footer{color:#5b6272;font-size:.85rem;margin-top:32px}
@media (max-width:480px){main{padding:16px 10px 32px}.campaign{padding:12px}h1{font-size:1.35rem}}
`;
