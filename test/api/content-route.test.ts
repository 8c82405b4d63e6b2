import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { toApiRequest, toGatewayResult } from "#functions/api/gateway-event.js";
import type { ApiDeps } from "#shared/app/api/api-deps.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { CachedWriteKeyVerifier } from "#shared/app/api/write-key-auth.js";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";
import { prepareEmailContext } from "#shared/app/email-context.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { createWriteKey } from "#shared/app/write-keys/manage-write-keys.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { compileSlotTemplates, compileTemplates } from "#shared/render/compile/index.js";
import { EmailRenderer } from "#shared/render/index.js";
import { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { loadSampleProfiles, type SampleProfile } from "#shared/render/samples.js";
import { demoContentLibrary, simulatorCatalogProducts } from "#shared/sim/index.js";
import { loadSlots, SlotDefinitionError } from "#shared/templates/slot-files.js";
import { InMemoryLedger } from "../dispatch/fakes.js";
import { InMemoryWriteKeyRegistry } from "../fakes/in-memory-write-keys.js";
import { templateDir } from "../render/helpers.js";
import { type GatewayEventInput, gatewayEvent, harness } from "./api-harness.js";

const TEMPLATES = path.resolve("templates");
const SAMPLES_TIME = Date.UTC(2026, 10, 20);
const ORIGIN = "https://shop.example.com";

interface World {
  readonly deps: ApiDeps;
  readonly key: string;
  readonly emails: EmailRenderer;
  readonly samples: readonly SampleProfile[];
  readonly catalog: InMemoryCatalog;
  readonly contentLibrary: InMemoryContentStore;
  call(
    input: Partial<GatewayEventInput>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
}

/** A sample customer as the profile store keeps them: their segment memberships stored on the profile. */
function stored(sample: SampleProfile): Profile {
  return { ...sample.profile, sg: Object.fromEntries(sample.segments.map((id) => [id, { e: 0, v: 1 }])) };
}

let world: World;

beforeAll(async () => {
  const catalog = new InMemoryCatalog(simulatorCatalogProducts(42));
  const contentLibrary = new InMemoryContentStore(demoContentLibrary(SAMPLES_TIME));
  const compiled = await compileTemplates(TEMPLATES);
  const slots = loadSlots(path.join(TEMPLATES, "slots"));
  const slotTemplates = await compileSlotTemplates(TEMPLATES, slots.values(), compiled.locales);
  const samples = loadSampleProfiles(path.join(TEMPLATES, "samples"));
  const h = harness();
  for (const sample of samples) h.profiles.set(sample.profile.customerId, stored(sample));
  h.now = SAMPLES_TIME;
  const registry = new InMemoryWriteKeyRegistry();
  const clock = { now: () => h.now };
  const issued = await createWriteKey({ registry, clock }, "web");
  const deps: ApiDeps = {
    ...h.deps,
    segment: { writeKeys: new CachedWriteKeyVerifier({ registry, clock }), corsOrigins: [ORIGIN] },
    onsite: {
      slots,
      renderer: new EmailRenderer(slotTemplates, PREVIEW_RENDERER),
      context: { catalog, contentLibrary },
      // The identity graph: the anonymous id of a visitor who later signed in as the lapsed sample.
      identities: {
        resolveIds: async (ids) => ({
          profiles: new Map(),
          erased: new Set<string>(),
          forwards: new Map(
            ids
              .filter((id) => id === "anon-lapsed")
              .map((id) => [
                id,
                { to: samples.find((s) => s.name === "lapsed")?.profile.customerId ?? "", at: 0 },
              ]),
          ),
        }),
      },
      links: PREVIEW_LINKS,
      shop: PREVIEW_SHOP,
      maxAgeSeconds: 45,
    },
  };
  world = {
    deps,
    key: issued.key,
    emails: new EmailRenderer(compiled, PREVIEW_RENDERER),
    samples,
    catalog,
    contentLibrary,
    async call(input) {
      const result = toGatewayResult(await routeApiRequest(deps, toApiRequest(gatewayEvent(input))));
      return { status: result.statusCode ?? 0, headers: result.headers ?? {}, body: result.body ?? "" };
    },
  };
}, 60_000);

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

function get(slot: string, query: string, headers: Record<string, string> = {}) {
  return world.call({
    method: "GET",
    path: `/v1/content/${slot}`,
    query,
    headers: { authorization: basic(world.key), origin: ORIGIN, ...headers },
  });
}

function sample(name: string): SampleProfile {
  const found = world.samples.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no sample ${name}`);
  return found;
}

/** The newsletter (recommendations, content and offer blocks) as dispatch prepares and renders it. */
async function newsletterFor(s: SampleProfile, recentOffer?: string) {
  const { context, recommendations, contentIds } = await prepareEmailContext(
    { catalog: world.catalog, contentLibrary: world.contentLibrary },
    {
      profile: stored(s),
      now: SAMPLES_TIME,
      campaign: { id: "newsletter", name: "Newsletter" },
      variant: "a",
      links: PREVIEW_LINKS,
      shop: PREVIEW_SHOP,
      ...(recentOffer === undefined ? {} : { recentOffer }),
    },
  );
  const rendered = world.emails.render({ template: "newsletter", context });
  if (!rendered.ok) throw rendered.error;
  return {
    html: rendered.email.html,
    productIds: recommendations.products.map((p) => p.productId),
    contentIds,
  };
}

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&#34;");

/** The offer codes an HTML shows, in order. */
const offerCodes = (html: string) =>
  [...html.matchAll(/<strong>(COMEBACK20|VIP15|WELCOME10)<\/strong>/g)].map((m) => m[1]);

describe("GET /v1/content/{slot}: the same block as the email", () => {
  it.each(["big-spender", "lapsed", "no-purchases"])(
    "%s: same products in the same order, same offer, same articles as the newsletter",
    async (name) => {
      const s = sample(name);
      const id = `userId=${encodeURIComponent(s.profile.customerId)}`;
      const email = await newsletterFor(s);

      const recs = JSON.parse((await get("for-you", id)).body);
      const ids: string[] = recs.recommendations.map((p: { id: string }) => p.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(email.productIds.slice(0, 4));

      const reading = JSON.parse((await get("reading", id)).body);
      expect(reading.content.map((c: { id: string }) => c.id)).toEqual(email.contentIds.slice(0, 3));

      const offer = JSON.parse((await get("offer", id)).body);
      const emailOffers = offerCodes(email.html);
      expect(offer.offer?.code ?? undefined).toBe(emailOffers[0]);
      const offerHtml = (await get("offer", `${id}&format=html`)).body;
      expect(offerCodes(offerHtml)).toEqual(emailOffers);

      // The HTML fragment lists the JSON's products, in order, with their links.
      const html = (await get("for-you", `${id}&format=html`)).body;
      const positions = recs.recommendations.map((p: { url: string }) => html.indexOf(escapeHtml(p.url)));
      expect(positions.every((at: number) => at >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    },
    30_000,
  );

  it("the offer slot rotates as messages do: after an email with one offer, the site and the next email show the other", async () => {
    // Prepare: the lapsed sample, also a champion: eligible for COMEBACK20 and VIP15; its last email showed COMEBACK20.
    const lapsed = sample("lapsed");
    const twoOffers: SampleProfile = {
      ...lapsed,
      profile: { ...lapsed.profile, customerId: "two-offers" },
      segments: [...lapsed.segments, "champions"],
    };
    const ledger = new InMemoryLedger();
    const onsite = world.deps.onsite;
    if (onsite === undefined) throw new Error("onsite expected");
    const deps: ApiDeps = {
      ...world.deps,
      profiles: {
        get: async (id) =>
          id === "two-offers" ? { profile: stored(twoOffers), itemBytes: 1 } : world.deps.profiles.get(id),
      },
      onsite: { ...onsite, ledger },
    };
    const offerSlot = async () => {
      const request = toApiRequest(
        gatewayEvent({
          method: "GET",
          path: "/v1/content/offer",
          query: "userId=two-offers",
          headers: { authorization: basic(world.key) },
        }),
      );
      return JSON.parse((await routeApiRequest(deps, request)).body).offer?.code;
    };
    const before = await offerSlot();

    // Act
    await ledger.record({
      key: "newsletter#two-offers#1#0",
      customerId: "two-offers",
      campaignId: "newsletter",
      purpose: "marketing",
      priority: 0,
      at: SAMPLES_TIME - 86_400_000,
      outcome: "sent",
      offerId: "COMEBACK20",
    });
    const after = await offerSlot();
    const nextEmail = await newsletterFor(twoOffers, "COMEBACK20");

    // Assess
    expect(before).toBe("COMEBACK20");
    expect(after).toBe("VIP15");
    expect(offerCodes(nextEmail.html)).toEqual(["VIP15"]);
  });

  it("the HTML is a fragment: no document, no scripts, names escaped", async () => {
    const s = sample("html-name");
    const html = (await get("offer", `userId=${encodeURIComponent(s.profile.customerId)}&format=html`)).body;
    expect(html).not.toMatch(/<html|<head|<body|<script|aria-roledescription="email"/i);
    // The customer's language, as the email's <html lang>.
    expect(html).toMatch(/^<div lang="[a-z]{2}"/);
    expect(html).not.toContain("<b>");
  });
});

describe("GET /v1/content/{slot}: HTTP", () => {
  it("is cacheable privately for the configured seconds, with an ETag that gives 304", async () => {
    const id = `userId=${encodeURIComponent(sample("lapsed").profile.customerId)}`;
    const first = await get("for-you", id);
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("private, max-age=45");
    expect(first.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get("for-you", id, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    expect((await get("for-you", id, { "if-none-match": '"other"' })).status).toBe(200);
  });

  it("resolves an anonymous id through the identity graph to its customer", async () => {
    const lapsed = sample("lapsed");
    const byAnon = JSON.parse((await get("for-you", "anonymousId=anon-lapsed")).body);
    const byUser = JSON.parse(
      (await get("for-you", `userId=${encodeURIComponent(lapsed.profile.customerId)}`)).body,
    );
    expect(byAnon.known).toBe(true);
    expect(byAnon.recommendations).toEqual(byUser.recommendations);
  });

  it("answers an unknown visitor with the fallbacks", async () => {
    const res = await get("for-you", "anonymousId=never-seen");
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.known).toBe(false);
    expect(body.recommendationsBasis).toBe("popular");
  });

  it("refuses without a valid write key, and names what is wrong in a request", async () => {
    expect((await get("for-you", "userId=u", { authorization: basic("wk_wrong") })).status).toBe(401);
    expect((await world.call({ method: "GET", path: "/v1/content/for-you", query: "userId=u" })).status).toBe(
      401,
    );
    const noId = await get("for-you", "");
    expect(noId.status).toBe(400);
    expect(noId.body).toContain("userId or anonymousId");
    expect((await get("for-you", "userId=u&format=xml")).body).toContain("format: json or html");
    const unknown = await get("nope", "userId=u");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("no slot nope");
  });

  it("answers the browsers' preflight for the shop's origin", async () => {
    const res = await world.call({
      method: "OPTIONS",
      path: "/v1/content/for-you",
      headers: { origin: ORIGIN },
    });
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-methods"]).toBe("GET, OPTIONS");
  });
});

describe("slot files", () => {
  it("are checked at build: a bad block or limit is named with file, line and path", () => {
    const dir = templateDir({
      "slots/home.yaml": "block: banner\n",
      "slots/more.yaml": "block: content\nlimit: 40\n",
    });
    expect(() => loadSlots(path.join(dir, "slots"))).toThrow(SlotDefinitionError);
    try {
      loadSlots(path.join(dir, "slots"));
    } catch (error) {
      const message = error instanceof Error ? error.message : "";
      expect(message).toMatch(/home\.yaml:1 block .*block is one of recommendations, offer, content/);
      expect(message).toMatch(/more\.yaml:2 limit .*at most/);
    }
  });
});
