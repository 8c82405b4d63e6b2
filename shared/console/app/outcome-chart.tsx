import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { CampaignOutcomes } from "../../app/console/campaign-outcome-views.js";
import { type ApiClient, seg } from "./api-client.js";
import { Table } from "./table.js";
import { useLoad } from "./use-load.js";

/** Days the campaign page charts. */
const OUTCOME_DAYS = 30;
/** Line colours (each at least 3:1 against white), in series order; skip reasons take the later ones. */
const COLOURS = [
  "#1f5fa8",
  "#6b4fbb",
  "#8a6100",
  "#b3261e",
  "#2e7d32",
  "#00707a",
  "#a0367a",
  "#5d4037",
  "#455a64",
];

/**
 * A campaign's decisions per day over the last 30 days (uPlot lines): sent, held out, deferred, failed and
 * skipped by its top reasons. Lines that stay at zero are left out; the figures are also a table.
 */
export function OutcomeChart({ api, campaignId }: { readonly api: ApiClient; readonly campaignId: string }) {
  const loaded = useLoad(`outcomes:${campaignId}`, () =>
    api.call<CampaignOutcomes>(`/v1/admin/campaigns/${seg(campaignId)}/outcomes?days=${OUTCOME_DAYS}`),
  );
  const host = useRef<HTMLDivElement>(null);
  const value = loaded.state === "ok" ? loaded.value : undefined;
  const drawn = value?.series.filter((line) => line.total > 0) ?? [];
  useEffect(() => {
    const element = host.current;
    if (element === null || value === undefined || drawn.length === 0) return;
    const xs = value.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const chart = new uPlot(
      {
        width: Math.max(280, Math.min(720, element.clientWidth)),
        height: 240,
        scales: { x: { time: true } },
        series: [
          {},
          ...drawn.map((line, i) => ({
            label: line.label,
            stroke: COLOURS[i % COLOURS.length] ?? "#222",
            width: 2,
            points: { show: true, size: 5 },
          })),
        ],
        axes: [{ stroke: "#222" }, { stroke: "#222" }],
      },
      [xs, ...drawn.map((line) => [...line.counts])],
      element,
    );
    return () => chart.destroy();
  }, [value]);
  if (loaded.state === "loading") return <p role="status">Loading the decisions per day…</p>;
  if (loaded.state === "error") return <p role="alert">{loaded.message}</p>;
  const { days } = loaded.value;
  return (
    <figure class="chart">
      <figcaption>
        Decisions per day, last {days.length} days (UTC):{" "}
        {drawn.length === 0
          ? "none yet (dispatch counts each send, holdout, deferral and skip as it records it)"
          : drawn.map((line) => `${line.label} ${line.total}`).join(", ")}
      </figcaption>
      <div ref={host} class="chart-canvas" aria-hidden="true" data-testid="outcome-chart" />
      {drawn.length > 0 && (
        <details>
          <summary>Decisions per day as a table</summary>
          <Table
            headers={["Day", ...drawn.map((line) => line.label)]}
            rows={days.map((day, i) => ({
              key: day,
              cells: [day, ...drawn.map((line) => line.counts[i] ?? 0)],
            }))}
          />
        </details>
      )}
    </figure>
  );
}
