import type { CampaignDetail, CampaignSummary } from "../../app/console/campaign-views.js";
import { type ApiClient, seg } from "./api-client.js";
import { CampaignDryRun } from "./campaign-dry-run.js";
import { OutcomeChart } from "./outcome-chart.js";
import { href } from "./route.js";
import { Table } from "./table.js";
import { useLoad } from "./use-load.js";

/** A trigger in a few words. */
function triggerText(trigger: CampaignSummary["trigger"]): string {
  switch (trigger.kind) {
    case "event":
      return `on event ${trigger.event.name}`;
    case "segment":
      return `on ${trigger.on === "entered" ? "entering" : "leaving"} segment ${trigger.segmentId}`;
    case "schedule":
      return `on schedule ${trigger.schedule.expression} for ${trigger.audience}`;
    case "catalog":
      return `on ${trigger.change} of a watched product`;
  }
}

/** A rate as `12.5 % (25 of 200)`, or a dash where it does not apply (the holdout's opens). */
function rate(
  view: { readonly successes: number; readonly trials: number; readonly rate: number } | undefined,
) {
  return view === undefined ? "—" : `${(view.rate * 100).toFixed(1)} % (${view.successes} of ${view.trials})`;
}

/** Every campaign: trigger, purpose, steps. */
export function CampaignsPage({ api }: { readonly api: ApiClient }) {
  const loaded = useLoad("campaigns", () =>
    api.call<{ campaigns: CampaignSummary[] }>("/v1/admin/campaigns"),
  );
  if (loaded.state === "loading") return <p role="status">Loading campaigns…</p>;
  if (loaded.state === "error") return <p role="alert">{loaded.message}</p>;
  return (
    <>
      <h2>Campaigns</h2>
      <Table
        headers={["Campaign", "Trigger", "Purpose", "Steps"]}
        rows={loaded.value.campaigns.map((campaign) => ({
          key: campaign.id,
          cells: [
            <>
              <a href={href("campaigns", campaign.id)}>{campaign.name}</a>{" "}
              <span class="muted">{campaign.id}</span>
            </>,
            triggerText(campaign.trigger),
            campaign.purpose,
            campaign.steps,
          ],
        }))}
      />
    </>
  );
}

/** One campaign: trigger, steps, policy (its definition) and the experiment report with its verdicts. */
export function CampaignPage({ api, campaignId }: { readonly api: ApiClient; readonly campaignId: string }) {
  const loaded = useLoad(campaignId, () =>
    api.call<CampaignDetail>(`/v1/admin/campaigns/${seg(campaignId)}`),
  );
  if (loaded.state === "loading") return <p role="status">Loading {campaignId}…</p>;
  if (loaded.state === "error") return <p role="alert">{loaded.message}</p>;
  const { definition, report, confidence } = loaded.value;
  return (
    <article aria-labelledby="campaign-heading">
      <p>
        <a href={href("campaigns")}>All campaigns</a>
      </p>
      <h2 id="campaign-heading">{definition.name}</h2>
      {definition.description !== undefined && <p>{definition.description}</p>}
      <p>Trigger: {triggerText(definition.trigger)}.</p>
      <h3>Steps</h3>
      <ol>
        {definition.steps.map((step, index) => (
          <li key={`${index}${step.template}`}>
            after {step.delay}: template {step.template}
            {step.variants === undefined
              ? ""
              : ` (variants ${step.variants.map((v) => `${v.id} ${v.weight}`).join(", ")})`}
          </li>
        ))}
      </ol>
      {definition.trigger.kind === "schedule" && <CampaignDryRun api={api} campaignId={campaignId} />}
      <h3>Sends and skips by reason over time</h3>
      <OutcomeChart api={api} campaignId={campaignId} />
      <h3>Experiment report</h3>
      {report === null ? (
        <p>No send counted yet.</p>
      ) : (
        <>
          <p class="muted">At {Math.round(confidence * 100)} % confidence.</p>
          <Table
            headers={["Arm", "Sent", "Delivered", "Opens", "Clicks", "Conversions"]}
            rows={report.overall.arms.map((arm) => ({
              key: arm.variant,
              cells: [
                arm.label,
                arm.sent,
                arm.delivered,
                rate(arm.opens),
                rate(arm.clicks),
                rate(arm.conversions),
              ],
            }))}
          />
          <h4>Verdicts</h4>
          <ul>
            {report.overall.comparisons.map((comparison) => (
              <li key={`${comparison.treatment}${comparison.baseline}${comparison.metric}`}>
                <strong>{comparison.fixed.outcome}</strong>: {comparison.fixed.sentence}
              </li>
            ))}
            {report.overall.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      )}
      <h3>Definition and policy</h3>
      <pre class="definition">{JSON.stringify(definition, null, 2)}</pre>
    </article>
  );
}
