import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { Table } from "./table.js";

/** One day's size. */
export interface SizePoint {
  readonly day: string;
  readonly size: number;
}

/**
 * A segment's size over time (uPlot): one point per day. The chart is drawn for sighted users; the same figures
 * are the figure's text alternative (its caption and a table in a disclosure).
 */
export function SizeChart({
  name,
  points,
}: {
  readonly name: string;
  readonly points: readonly SizePoint[];
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (element === null || points.length === 0) return;
    const xs = points.map((point) => Date.parse(`${point.day}T00:00:00Z`) / 1000);
    const ys = points.map((point) => point.size);
    const chart = new uPlot(
      {
        width: Math.max(280, Math.min(720, element.clientWidth)),
        height: 220,
        scales: { x: { time: true } },
        series: [{}, { label: "members", stroke: "#1f5fa8", width: 2, points: { show: true, size: 6 } }],
        axes: [{ stroke: "#222" }, { stroke: "#222" }],
      },
      [xs, ys],
      element,
    );
    return () => chart.destroy();
  }, [points]);
  const last = points.at(-1);
  return (
    <figure class="chart">
      <figcaption>
        Size of {name} over time:{" "}
        {last === undefined
          ? "no daily size kept yet (the nightly recount writes one point a day)"
          : `${points.length} day(s), ${last.size} on ${last.day}`}
      </figcaption>
      <div ref={host} class="chart-canvas" aria-hidden="true" data-testid="size-chart" />
      {points.length > 0 && (
        <details>
          <summary>Sizes as a table</summary>
          <Table
            headers={["Day", "Members"]}
            rows={points.map((point) => ({ key: point.day, cells: [point.day, point.size] }))}
          />
        </details>
      )}
    </figure>
  );
}
