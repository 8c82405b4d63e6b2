import { useState } from "preact/hooks";
import type { CustomerDetail, CustomerMatch } from "../../app/console/customer-views.js";
import { ApiCallError, type ApiClient, seg } from "./api-client.js";
import { href } from "./route.js";
import { Table } from "./table.js";
import { useLoad } from "./use-load.js";

/** Search by any id (customer, anonymous, merged) or email; opens the customer found. */
export function CustomerSearch({ api }: { readonly api: ApiClient }) {
  const [query, setQuery] = useState("");
  const [message, setMessage] = useState<string | undefined>();
  const search = async (event: Event) => {
    event.preventDefault();
    setMessage("Searching…");
    try {
      const match = await api.call<CustomerMatch>(`/v1/admin/customers?q=${encodeURIComponent(query)}`);
      setMessage(undefined);
      location.hash = href("customers", match.customerId);
    } catch (error) {
      setMessage(error instanceof ApiCallError || error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section aria-labelledby="search-heading">
      <h2 id="search-heading">Find a customer</h2>
      <form onSubmit={search}>
        <label for="customer-query">Customer id, anonymous id or email</label>
        <input
          id="customer-query"
          name="q"
          type="search"
          required
          maxLength={256}
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <p role="status">{message}</p>
    </section>
  );
}

/** The customer's page: profile in words, segments with their explanation, identities, sends, consent; export, erase. */
export function CustomerPage({ api, customerId }: { readonly api: ApiClient; readonly customerId: string }) {
  const loaded = useLoad(customerId, () =>
    api.call<CustomerDetail>(`/v1/admin/customers/${seg(customerId)}`),
  );
  return (
    <>
      <CustomerSearch api={api} />
      {loaded.state === "loading" && <p role="status">Loading {customerId}…</p>}
      {loaded.state === "error" && <p role="alert">{loaded.message}</p>}
      {loaded.state === "ok" && <CustomerView api={api} detail={loaded.value} />}
    </>
  );
}

function CustomerView({ api, detail }: { readonly api: ApiClient; readonly detail: CustomerDetail }) {
  const members = detail.segments.filter((segment) => segment.member).length;
  return (
    <article aria-labelledby="customer-heading">
      <h2 id="customer-heading">{detail.profile.headline}</h2>
      <p class="muted">As of {detail.at}. This read is recorded in the audit log.</p>
      {detail.clock !== null && <p class="note">{detail.clock}</p>}
      <h3>Profile</h3>
      <dl class="rows">
        {detail.profile.rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>
        Segments: in {members} of {detail.segments.length}
      </h3>
      <ul class="explanations">
        {[...detail.segments]
          .sort((a, b) => Number(b.member) - Number(a.member))
          .map((segment) => (
            <li key={segment.segmentId}>
              <details>
                <summary>
                  <span class={segment.member ? "badge in" : "badge out"}>
                    {segment.member ? "in" : "out"}
                  </span>{" "}
                  {segment.name}{" "}
                  <span class="muted">
                    ({segment.segmentId}, v{segment.version})
                  </span>
                </summary>
                <pre class="explanation">{segment.text}</pre>
                {segment.nextChangeAt !== null && <p class="muted">May change at {segment.nextChangeAt}.</p>}
              </details>
            </li>
          ))}
      </ul>
      <h3>Identities</h3>
      {detail.identities.ids.length === 0 && detail.identities.refused.length === 0 ? (
        <p>Known by its customer id only ({detail.identities.known ? "known customer" : "anonymous"}).</p>
      ) : (
        <Table
          caption={`Ids merged into ${detail.customerId}`}
          headers={["Id", "How", "Since"]}
          rows={[
            ...detail.identities.ids.map((link) => ({
              key: link.i,
              cells: [link.i, link.h, new Date(link.at).toISOString()],
            })),
            ...detail.identities.refused.map((refused) => ({
              key: `x${refused.i}`,
              cells: [refused.i, `not merged (${refused.r})`, new Date(refused.at).toISOString()],
            })),
          ]}
        />
      )}
      <h3>Sends and decisions not to send (30 days)</h3>
      {detail.sends.length === 0 ? (
        <p>None.</p>
      ) : (
        <Table
          headers={["When (UTC)", "Campaign", "Step", "Outcome", "Reason"]}
          rows={detail.sends.map((send) => ({
            key: `${send.at}${send.campaignId}${send.step}`,
            cells: [
              send.at.slice(0, 16).replace("T", " "),
              <a href={href("campaigns", send.campaignId)}>{send.campaignId}</a>,
              send.step ?? "",
              `${send.outcome}${send.variant === null ? "" : ` (variant ${send.variant})`}`,
              send.reason ?? "",
            ],
          }))}
        />
      )}
      <h3>Consent history</h3>
      {detail.consent.length === 0 ? (
        <p>No consent change recorded.</p>
      ) : (
        <ul>
          {detail.consent.map((change) => (
            <li key={change.at}>
              {change.at}:{" "}
              {Object.entries(change.details)
                .map(([key, value]) => `${key} ${String(value)}`)
                .join(", ")}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`${href("templates")}?customer=${encodeURIComponent(detail.customerId)}`}>
          Preview templates for this customer
        </a>
      </p>
      <PrivacyActions api={api} customerId={detail.customerId} />
    </article>
  );
}

/** Export (a JSON download) and erase (after typing the id to confirm). */
function PrivacyActions({ api, customerId }: { readonly api: ApiClient; readonly customerId: string }) {
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const [message, setMessage] = useState<string | undefined>();
  const exportData = async () => {
    try {
      const data = await api.call<unknown>(`/v1/admin/customers/${seg(customerId)}/export`);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }),
      );
      link.download = `${customerId}.json`;
      link.click();
      setMessage("Export downloaded (and audited).");
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  const erase = async (event: Event) => {
    event.preventDefault();
    try {
      await api.call<unknown>(`/v1/admin/customers/${seg(customerId)}`, { method: "DELETE" });
      setConfirming(false);
      setMessage(`${customerId} was erased.`);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section aria-labelledby="privacy-heading">
      <h3 id="privacy-heading">Privacy</h3>
      <button type="button" onClick={exportData}>
        Export everything held
      </button>{" "}
      <button type="button" class="danger" onClick={() => setConfirming(true)}>
        Erase…
      </button>
      {confirming && (
        <form class="confirm" onSubmit={erase}>
          <p>
            Erasing deletes the profile, sends, timers and quarantined records of {customerId}. It cannot be
            undone.
          </p>
          <label for="erase-confirm">Type the customer id to confirm</label>
          <input id="erase-confirm" value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
          <button type="submit" class="danger" disabled={typed !== customerId}>
            Erase {customerId}
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </form>
      )}
      <p role="status">{message}</p>
    </section>
  );
}
