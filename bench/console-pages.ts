/**
 * The console's pages, timed against a running local stack with the demo's data (`npm start`, or
 * `npx tsx bin/tailor.ts start --customers 40 --days 3`): `npx tsx bench/console-pages.ts <api url>`. Each page is
 * the admin API calls the page makes when it opens (in the page's order), timed end to end over HTTP, `RUNS` times
 * (after one warm-up); prints the median and the slowest per page against the 300 ms budget, and exits 1 when a
 * median is over it.
 */
const BUDGET_MS = 300;
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 10);
const base = (process.argv[2] ?? "http://127.0.0.1:8006").replace(/\/$/, "");

async function call(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${base}${path}`, init);
  const body: unknown = await response.json();
  if (!response.ok && response.status !== 422)
    throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;

const PREVIEW =
  "id: bench-viewers\nname: Bench viewers\nversion: 1\nrule:\n  event: { name: Product Viewed, within: 30d, atLeast: 1 }\n";

// A customer of the demo (a member of the preview's sample), a segment, a template and a campaign to open.
const preview = await call("/v1/admin/segment-preview", { method: "POST", body: PREVIEW });
const members = field(preview, "sampleMembers");
const customer = Array.isArray(members) && typeof members[0] === "string" ? members[0] : undefined;
if (customer === undefined) throw new Error("no customer with a product view: is the demo's data loaded?");
const templates = field(await call("/v1/admin/templates"), "templates");
const template = Array.isArray(templates) ? String(field(templates[0], "name")) : "welcome";
const campaigns = field(await call("/v1/admin/campaigns"), "campaigns");
const campaign = Array.isArray(campaigns) ? String(field(campaigns[0], "id")) : "welcome";
const id = encodeURIComponent(customer);

const PAGES: Readonly<Record<string, readonly (() => Promise<unknown>)[]>> = {
  "customer (search + page)": [
    () => call(`/v1/admin/customers?q=${id}`),
    () => call(`/v1/admin/customers/${id}`),
  ],
  segments: [() => call("/v1/admin/segments")],
  "segment (chart, who entered and left)": [
    () => call("/v1/admin/segments/cart-abandoners"),
    () => call("/v1/admin/segments/cart-abandoners/changes"),
  ],
  "segment preview (sample)": [() => call("/v1/admin/segment-preview", { method: "POST", body: PREVIEW })],
  "template preview (customer)": [
    () => call("/v1/admin/templates"),
    () => call(`/v1/admin/templates/${encodeURIComponent(template)}/preview?customer=${id}`),
  ],
  campaigns: [() => call("/v1/admin/campaigns")],
  "campaign (report, outcomes)": [
    () => call(`/v1/admin/campaigns/${encodeURIComponent(campaign)}`),
    () => call(`/v1/admin/campaigns/${encodeURIComponent(campaign)}/outcomes?days=30`),
  ],
};

let over = 0;
console.log(`console pages on ${base} (customer ${customer}), ${RUNS} runs each, budget ${BUDGET_MS} ms`);
for (const [name, calls] of Object.entries(PAGES)) {
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    for (const step of calls) await step();
    if (run > 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const slowest = times.at(-1) ?? 0;
  if (median > BUDGET_MS) over++;
  console.log(
    `  ${name.padEnd(30)} median ${median.toFixed(0).padStart(4)} ms  slowest ${slowest.toFixed(0).padStart(4)} ms${median > BUDGET_MS ? "  OVER BUDGET" : ""}`,
  );
}
process.exitCode = over > 0 ? 1 : 0;
