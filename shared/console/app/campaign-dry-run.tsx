import { useState } from "preact/hooks";
import type { ConsoleDryRunView } from "../../app/console/campaign-dry-run-view.js";
import { type ApiClient, seg } from "./api-client.js";
import { href } from "./route.js";
import { type Row, Table } from "./table.js";

/** Rows of a reason → count map, most frequent first, each labelled with its kind (skip, defer, …). */
function reasonRows(kind: string, counts: Readonly<Record<string, number>>): Row[] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => ({ key: `${kind}:${reason}`, cells: [`${kind}: ${reason}`, n] }));
}

/** The dry run's counts as rows: sends per variant, holdout, then every reason not to send now. */
function countRows(view: ConsoleDryRunView): Row[] {
  return [
    ...Object.entries(view.byVariant)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([variant, n]) => ({ key: `variant:${variant}`, cells: [`would send, variant ${variant}`, n] })),
    { key: "holdout", cells: ["held out", view.heldOut] },
    ...reasonRows("skip", view.skipped),
    ...reasonRows("defer", view.deferred),
    ...reasonRows("fail", view.failed),
    ...reasonRows("retry", view.retry),
    ...(view.alreadySettled > 0
      ? [{ key: "settled", cells: ["already settled by an earlier run", view.alreadySettled] }]
      : []),
    ...(view.later > 0 ? [{ key: "later", cells: ["later steps (would wait as timers)", view.later] }] : []),
  ];
}

/** What was read, and whether the counts are the whole audience's or a sample's. */
function scope(view: ConsoleDryRunView): string {
  const where = view.source === "index" ? "the membership index" : "a scan of the profiles";
  const size = view.segmentSize === undefined ? "" : ` (segment size about ${view.segmentSize})`;
  return view.complete
    ? `The whole audience ${view.segmentId}${size}: ${view.read} read from ${where}, ${view.members} members.`
    : `A sample, not the whole audience: stopped by the ${view.stoppedBy ?? "bound"} after ${view.read} read from ${where} (${view.members} members of ${view.segmentId}${size}). Run tailor campaign dry-run for the whole audience.`;
}

/**
 * A campaign's dry run on its page: who the tick at a chosen time (default now) would reach, sending and writing
 * nothing; the counts by variant, holdout and reason, and a few rendered subjects.
 */
export function CampaignDryRun({
  api,
  campaignId,
}: {
  readonly api: ApiClient;
  readonly campaignId: string;
}) {
  const [at, setAt] = useState("");
  const [running, setRunning] = useState(false);
  const [view, setView] = useState<ConsoleDryRunView | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const run = async (event: Event) => {
    event.preventDefault();
    setRunning(true);
    setFailure(undefined);
    try {
      const body = at.trim() === "" ? "" : JSON.stringify({ at: at.trim() });
      setView(
        await api.call<ConsoleDryRunView>(`/v1/admin/campaigns/${seg(campaignId)}/dry-run`, {
          method: "POST",
          body,
        }),
      );
    } catch (error) {
      setView(undefined);
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setRunning(false);
    }
  };
  return (
    <section aria-labelledby="dry-run-heading">
      <h3 id="dry-run-heading">Dry run</h3>
      <form class="dry-run" onSubmit={run}>
        <label for="dry-run-at">Tick at (ISO time, UTC; empty for now)</label>
        <input
          id="dry-run-at"
          placeholder="2026-12-07T09:00:00Z"
          value={at}
          onInput={(event) => setAt(event.currentTarget.value)}
        />{" "}
        <button type="submit" disabled={running}>
          {running ? "Running…" : "Dry run"}
        </button>
      </form>
      <div aria-live="polite">
        {failure !== undefined && <p role="alert">{failure}</p>}
        {view !== undefined && (
          <>
            <p>
              Tick {view.occurrence}: would send <strong>{view.wouldSend}</strong>, hold out {view.heldOut}{" "}
              (nothing sent, nothing written). {scope(view)}
            </p>
            <Table caption="Decisions" headers={["Decision", "Customers"]} rows={countRows(view)} />
            {view.samples.length > 0 && (
              <Table
                caption="Rendered subjects (a few)"
                headers={["Customer", "Variant", "Subject"]}
                rows={view.samples.map((sample) => ({
                  key: `${sample.customerId}:${sample.variant}`,
                  cells: [
                    <a key="customer" href={href("customers", sample.customerId)}>
                      {sample.customerId}
                    </a>,
                    sample.variant,
                    sample.subject,
                  ],
                }))}
              />
            )}
          </>
        )}
      </div>
    </section>
  );
}
