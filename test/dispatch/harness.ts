import type { DispatchDeps, SendMessage } from "#shared/app/dispatch-sends.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import {
  buildCampaignLibrary,
  type CampaignDefinition,
  checkCampaignDefinition,
  type SendIntent,
  sendKey,
} from "#shared/domain/campaigns/index.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import {
  type CompiledTemplates,
  EmailRenderer,
  PREVIEW_LINKS,
  PREVIEW_SHOP,
  TEMPLATES_FORMAT,
} from "#shared/render/index.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { FakeTime } from "../campaigns-adapters/fake-time.js";
import { InMemoryLedger, MapProfiles, MemorySendTimers, RecordingMailer } from "./fakes.js";

export const T0 = Date.UTC(2026, 10, 23, 12);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

const variant = (id: string, subject: string) => ({
  id,
  subject,
  preheader: "Still thinking about it?",
  html:
    '<html><body><p>Hello {{ customer.first_name | default: "there" }}</p>' +
    '<a href="{{ links.unsubscribe }}">Unsubscribe</a></body></html>',
  text: 'Hello {{ customer.first_name | default: "there" }}',
});

/** Two small templates, compiled by hand (the shipped ones are exercised by the integration test). */
export const COMPILED: CompiledTemplates = {
  format: TEMPLATES_FORMAT,
  templates: [
    {
      name: "cart-abandonment",
      variants: [variant("a", '{{ customer.first_name | default: "Hi" }}, your cart')],
    },
    { name: "welcome", variants: [variant("a", "Welcome to the shop")] },
  ],
};

/** A campaign from its file form (defaults: a marketing cart campaign sent at once, no policy). */
export function campaign(raw: Record<string, unknown> = {}): CampaignDefinition {
  const checked = checkCampaignDefinition({
    id: "cart",
    name: "Cart",
    version: 1,
    purpose: "marketing",
    trigger: { event: "Product Added" },
    steps: [{ delay: "0m", template: "cart-abandonment" }],
    ...raw,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.definition;
}

/** A reachable customer: email, marketing consent granted. */
export function customer(customerId: string, traits: Record<string, string> = {}): Profile {
  return {
    ...emptyProfile(customerId, 0),
    t: { email: `${customerId}@example.com`, ...traits },
    c: { marketing_email: { g: true, at: 0 } },
  };
}

/** The intent of `campaignId` for `customerId`, due at `T0`. */
export function intent(
  campaignId: string,
  customerId: string,
  overrides: Partial<SendIntent> = {},
): SendIntent {
  const occurrence = overrides.occurrence ?? String(T0 - HOUR);
  const step = overrides.step ?? 0;
  return {
    key: sendKey(campaignId, customerId, occurrence, step),
    campaignId,
    customerId,
    occurrence,
    step,
    template: "cart-abandonment",
    dueAt: T0,
    startedAt: T0 - HOUR,
    ...overrides,
  };
}

let ids = 0;
/** Queue messages whose bodies are the intents. */
export function messages(...intents: SendIntent[]): SendMessage[] {
  return intents.map((of) => ({ messageId: `m-${++ids}`, body: JSON.stringify(of) }));
}

/** Everything dispatch needs, in memory, with a recording mailer and a clock that only sleeps move. */
export function harness(campaigns: readonly CampaignDefinition[], profiles: readonly Profile[]) {
  const time = new FakeTime(T0);
  const ledger = new InMemoryLedger();
  const mailer = new RecordingMailer();
  const sendTimers = new MemorySendTimers();
  const renderer = new EmailRenderer(COMPILED, { links: PREVIEW_LINKS });
  const library = buildCampaignLibrary(campaigns, {
    templates: new Map(renderer.templates().map((t) => [t.name, t.variants])),
    segmentIds: new Set(),
  });
  let acquired = 0;
  const deps: DispatchDeps = {
    ledger,
    profiles: new MapProfiles(profiles),
    library,
    sendTimers,
    renderer,
    content: { catalog: new InMemoryCatalog(simulatorCatalogProducts(42)) },
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
    mailer,
    limiter: {
      acquire: async () => {
        acquired++;
      },
    },
    clock: time,
    backoff: { maxAttempts: 3, baseMs: 100, sleep: time.sleep, random: () => 0.5 },
  };
  return { deps, time, ledger, mailer, sendTimers, acquired: () => acquired };
}
