import { useEffect, useState } from "preact/hooks";
import type { SegmentDetail, SegmentPreview, SegmentSummary } from "../../app/console/segment-views.js";
import { type ApiClient, seg } from "./api-client.js";
import { href } from "./route.js";
import { SegmentChanges } from "./segment-changes.js";
import { SizeChart } from "./size-chart.js";
import { Table } from "./table.js";
import { useLoad } from "./use-load.js";

/** Every segment with its size, and the live preview of a definition being written. */
export function SegmentsPage({ api }: { readonly api: ApiClient }) {
  const loaded = useLoad("segments", () => api.call<{ segments: SegmentSummary[] }>("/v1/admin/segments"));
  return (
    <>
      <h2>Segments</h2>
      {loaded.state === "loading" && <p role="status">Loading…</p>}
      {loaded.state === "error" && <p role="alert">{loaded.message}</p>}
      {loaded.state === "ok" && (
        <Table
          headers={["Segment", "Members", "Last exact count", "Days charted"]}
          rows={loaded.value.segments.map((segment) => ({
            key: segment.id,
            cells: [
              <>
                <a href={href("segments", segment.id)}>{segment.name}</a>{" "}
                <span class="muted">{segment.id}</span>
              </>,
              segment.size,
              segment.countedAt ?? "never",
              segment.history.length,
            ],
          }))}
        />
      )}
      <SegmentPreviewForm api={api} />
    </>
  );
}

/** One segment: chart, definition, change today. */
export function SegmentPage({ api, segmentId }: { readonly api: ApiClient; readonly segmentId: string }) {
  const loaded = useLoad(segmentId, () => api.call<SegmentDetail>(`/v1/admin/segments/${seg(segmentId)}`));
  if (loaded.state === "loading") return <p role="status">Loading {segmentId}…</p>;
  if (loaded.state === "error") return <p role="alert">{loaded.message}</p>;
  const detail = loaded.value;
  return (
    <article aria-labelledby="segment-heading">
      <p>
        <a href={href("segments")}>All segments</a>
      </p>
      <h2 id="segment-heading">{detail.name}</h2>
      {detail.description !== null && <p>{detail.description}</p>}
      <p>
        <strong>{detail.size}</strong> members
        {detail.changeToday === null
          ? ""
          : `; ${detail.changeToday >= 0 ? "+" : ""}${detail.changeToday} since yesterday (entered minus left)`}
        .
      </p>
      <SizeChart name={detail.name} points={detail.history} />
      <SegmentChanges api={api} segmentId={segmentId} />
      <h3>Definition</h3>
      <pre class="definition">{JSON.stringify(detail.definition, null, 2)}</pre>
    </article>
  );
}

const EXAMPLE = `id: recent-browsers
name: Recent browsers (draft)
version: 1
rule:
  event: { name: Product Viewed, within: 7d, atLeast: 2 }
`;

/** A definition being written: checked as the build checks it, and its size estimated on a sample, as you type. */
function SegmentPreviewForm({ api }: { readonly api: ApiClient }) {
  const [text, setText] = useState(EXAMPLE);
  const [preview, setPreview] = useState<SegmentPreview | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    const timer = setTimeout(() => {
      api
        .call<SegmentPreview>("/v1/admin/segment-preview", { method: "POST", body: text, accept: [422] })
        .then(
          (value) => {
            setPreview(value);
            setFailure(undefined);
          },
          (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
        );
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">Try a definition</h2>
      <label for="segment-yaml">Segment definition (YAML, as in templates/segments)</label>
      <textarea
        id="segment-yaml"
        rows={10}
        spellcheck={false}
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
      />
      <div aria-live="polite">
        {failure !== undefined && <p role="alert">{failure}</p>}
        {preview?.ok === false && (
          <ul class="problems">
            {preview.problems.map((problem) => (
              <li key={`${problem.line}${problem.path}${problem.rule}`}>
                {problem.file}
                {problem.line === undefined ? "" : `:${problem.line}`} {problem.path} [{problem.rule}]:{" "}
                {problem.message}
              </li>
            ))}
          </ul>
        )}
        {preview?.ok === true && (
          <p>
            Estimated size: <strong>about {preview.estimatedSize}</strong> (an estimate: {preview.members} of
            a sample of {preview.sampled} profiles).{" "}
            {preview.sampleMembers.length > 0 && (
              <>
                Some members:{" "}
                {preview.sampleMembers.map((id, index) => (
                  <span key={id}>
                    {index > 0 ? ", " : ""}
                    <a href={href("customers", id)}>{id}</a>
                  </span>
                ))}
              </>
            )}
          </p>
        )}
      </div>
    </section>
  );
}
