import type { ApiClient } from "./api-client.js";
import { CampaignPage, CampaignsPage } from "./campaigns-page.js";
import { CustomerPage, CustomerSearch } from "./customers-page.js";
import { href, type Route, useRoute } from "./route.js";
import { SegmentPage, SegmentsPage } from "./segments-page.js";
import { TemplatesPage } from "./templates-page.js";

const SECTIONS = [
  ["customers", "Customers"],
  ["segments", "Segments"],
  ["templates", "Templates"],
  ["campaigns", "Campaigns"],
] as const;

function Page({ api, route }: { readonly api: ApiClient; readonly route: Route }) {
  const [section, id] = route;
  switch (section) {
    case "segments":
      return id === undefined ? <SegmentsPage api={api} /> : <SegmentPage api={api} segmentId={id} />;
    case "templates":
      return <TemplatesPage api={api} />;
    case "campaigns":
      return id === undefined ? <CampaignsPage api={api} /> : <CampaignPage api={api} campaignId={id} />;
    default:
      return id === undefined ? <CustomerSearch api={api} /> : <CustomerPage api={api} customerId={id} />;
  }
}

/** The console: a header with the sections, and the page the location's hash names. */
export function App({ api, user }: { readonly api: ApiClient; readonly user: string | undefined }) {
  const route = useRoute();
  const current = route[0] ?? "customers";
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <h1>Tailor console</h1>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([id, label]) => (
              <li key={id}>
                <a href={href(id)} aria-current={current === id ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="user">
          {user === undefined ? "Local console (loopback, no sign-in)" : `Signed in as ${user}`}
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        <Page api={api} route={route} />
      </main>
    </>
  );
}
