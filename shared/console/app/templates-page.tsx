import { useEffect, useState } from "preact/hooks";
import type { TemplateCatalogView, TemplatePreview } from "../../app/console/template-views.js";
import { type ApiClient, seg } from "./api-client.js";
import { Choice } from "./table.js";
import { useLoad } from "./use-load.js";

/** How often the page asks whether the templates changed on disk. */
const VERSION_POLL_MS = 1500;

type Rendered = Extract<TemplatePreview, { ok: true }>;

function initialCustomer(): string {
  const query = location.hash.split("?")[1] ?? "";
  return new URLSearchParams(query).get("customer") ?? "";
}

/**
 * Any template rendered for a customer or a sample profile, in any variant and locale: desktop (600 px) and
 * mobile (390 px) side by side with the plain text. When the templates change (an edit on disk, locally), the
 * preview is rendered again.
 */
export function TemplatesPage({ api }: { readonly api: ApiClient }) {
  const [version, setVersion] = useState("");
  const catalog = useLoad("templates", () => api.call<TemplateCatalogView>("/v1/admin/templates"));
  useEffect(() => {
    const timer = setInterval(() => {
      api.call<{ version: string }>("/v1/admin/templates-version").then(
        (latest) => setVersion(latest.version),
        () => undefined,
      );
    }, VERSION_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  if (catalog.state === "loading") return <p role="status">Loading templates…</p>;
  if (catalog.state === "error") return <p role="alert">{catalog.message}</p>;
  return <TemplatePreviewForm api={api} catalog={catalog.value} version={version} />;
}

function TemplatePreviewForm({
  api,
  catalog,
  version,
}: {
  readonly api: ApiClient;
  readonly catalog: TemplateCatalogView;
  readonly version: string;
}) {
  const [template, setTemplate] = useState(catalog.templates[0]?.name ?? "");
  const [variant, setVariant] = useState("a");
  const [locale, setLocale] = useState("");
  const [customer, setCustomer] = useState(initialCustomer);
  const [sample, setSample] = useState(catalog.samples[0]?.name ?? "");
  const [rendered, setRendered] = useState<Rendered | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const variants = catalog.templates.find((entry) => entry.name === template)?.variants ?? [];
  useEffect(() => {
    if (template === "") return;
    const query = new URLSearchParams({
      variant: variants.includes(variant) ? variant : (variants[0] ?? "a"),
    });
    if (locale !== "") query.set("locale", locale);
    if (customer.trim() !== "") query.set("customer", customer.trim());
    else query.set("sample", sample);
    let current = true;
    api.call<Rendered>(`/v1/admin/templates/${seg(template)}/preview?${query}`).then(
      (value) => {
        if (!current) return;
        setRendered(value);
        setFailure(undefined);
      },
      (error: unknown) => current && setFailure(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [template, variant, locale, customer, sample, version]);
  return (
    <>
      <h2>Templates</h2>
      <form class="controls" onSubmit={(event) => event.preventDefault()}>
        <Choice
          label="Template"
          value={template}
          options={catalog.templates.map((entry) => [entry.name, entry.name] as const)}
          onChange={setTemplate}
        />
        <Choice
          label="Variant"
          value={variant}
          options={variants.map((id) => [id, id] as const)}
          onChange={setVariant}
        />
        <Choice
          label="Locale"
          value={locale}
          none="the recipient's own"
          options={catalog.locales.map((id) => [id, id] as const)}
          onChange={setLocale}
        />
        <label>
          Customer id (empty: a sample profile)
          <input
            name="customer"
            value={customer}
            onChange={(event) => setCustomer(event.currentTarget.value)}
          />
        </label>
        <Choice
          label="Sample profile"
          value={sample}
          disabled={customer.trim() !== ""}
          options={catalog.samples.map(
            (entry) => [entry.name, `${entry.name}: ${entry.description}`] as const,
          )}
          onChange={setSample}
        />
      </form>
      <div aria-live="polite">
        {failure !== undefined && <p role="alert">{failure}</p>}
        {rendered !== undefined && failure === undefined && (
          <p>
            Subject: <strong data-testid="subject">{rendered.subject}</strong>
            <br />
            Preheader: {rendered.preheader}
            <br />
            <span class="muted">
              Locale {rendered.locale}; templates version {rendered.version}
            </span>
          </p>
        )}
      </div>
      {rendered !== undefined && (
        <div class="previews">
          <iframe
            title="Desktop preview, 600 pixels wide"
            class="desktop"
            sandbox=""
            srcdoc={rendered.html}
          />
          <iframe title="Mobile preview, 390 pixels wide" class="mobile" sandbox="" srcdoc={rendered.html} />
          <section aria-label="Plain text part" class="text">
            <h3>Plain text</h3>
            <pre>{rendered.text}</pre>
          </section>
        </div>
      )}
    </>
  );
}
