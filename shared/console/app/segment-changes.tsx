import { useState } from "preact/hooks";
import type { SegmentChangesView } from "../../app/console/segment-change-views.js";
import { type ApiClient, seg } from "./api-client.js";
import { href } from "./route.js";
import { useLoad } from "./use-load.js";

const today = () => new Date().toISOString().slice(0, 10);
const time = (at: number) => new Date(at).toISOString().slice(11, 19);

/** One kind's list: the count, then the most recent customers, each a link to their page. */
function ChangeList({
  title,
  count,
  changes,
}: {
  readonly title: string;
  readonly count: number;
  readonly changes: SegmentChangesView["recentEntered"];
}) {
  return (
    <section aria-label={title}>
      <h4>
        {title}: {count}
      </h4>
      {changes.length === 0 ? (
        <p class="muted">No one.</p>
      ) : (
        <>
          {count > changes.length && <p class="muted">The {changes.length} most recent:</p>}
          <ul data-testid={`changes-${title === "Entered" ? "entered" : "left"}`}>
            {changes.map((change) => (
              <li key={`${change.customerId}${change.at}`}>
                <a href={href("customers", change.customerId)}>{change.customerId}</a>{" "}
                <span class="muted">at {time(change.at)} UTC</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Who entered and left the segment on a chosen UTC day (today by default). */
export function SegmentChanges({ api, segmentId }: { readonly api: ApiClient; readonly segmentId: string }) {
  const [day, setDay] = useState(today);
  const loaded = useLoad(`${segmentId}/${day}`, () =>
    api.call<SegmentChangesView>(`/v1/admin/segments/${seg(segmentId)}/changes?day=${day}`),
  );
  return (
    <>
      <h3>Who entered and left</h3>
      <label>
        Day (UTC){" "}
        <input
          type="date"
          value={day}
          max={today()}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (/^\d{4}-\d{2}-\d{2}$/.test(value)) setDay(value);
          }}
        />
      </label>
      {loaded.state === "loading" && <p role="status">Loading the changes of {day}…</p>}
      {loaded.state === "error" && <p role="alert">{loaded.message}</p>}
      {loaded.state === "ok" && (
        <div class="changes">
          <ChangeList title="Entered" count={loaded.value.entered} changes={loaded.value.recentEntered} />
          <ChangeList title="Left" count={loaded.value.exited} changes={loaded.value.recentExited} />
          {loaded.value.dropped > 0 && (
            <p class="muted">{loaded.value.dropped} customer(s) not listed: their profile was erased.</p>
          )}
        </div>
      )}
    </>
  );
}
