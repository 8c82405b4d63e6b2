import type { RendererSettings } from "./email-renderer.js";
import type { ShopView } from "./render-context.js";
import type { LinkSettings } from "./signed-links.js";

/** The demo shop of previews, samples and tests. */
export const PREVIEW_SHOP: ShopView = {
  name: "Tailor Demo Shop",
  url: "https://example.com",
  logo_url: "https://example.com/images/logo.png",
  images_url: "https://example.com/images",
  postal_address: "Tailor Demo Shop, 1 Example Street, Springfield, 12345, USA",
};

/**
 * Links of previews and build checks. The secret is public on purpose: it signs nothing a real customer gets.
 * Deployed renderers take their secret from a secret store.
 */
export const PREVIEW_LINKS: LinkSettings = {
  unsubscribeUrl: "https://example.com/email/unsubscribe",
  preferencesUrl: "https://example.com/email/preferences",
  viewInBrowserUrl: "https://example.com/email/view",
  confirmUrl: "https://example.com/email/confirm",
  secret: "tailor-preview-only-secret-not-for-production-use",
  ttlMs: 60 * 24 * 3_600_000,
};

/** Renderer settings of previews and build checks. */
export const PREVIEW_RENDERER: RendererSettings = { links: PREVIEW_LINKS, utmSource: "tailor" };
