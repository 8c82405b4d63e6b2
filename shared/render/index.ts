/**
 * Email templates at run time: templates compiled at build time (MJML → HTML with Liquid intact, see
 * `./compile/index.ts`) rendered per recipient with Liquid only. Nothing here loads MJML or html-to-text, so
 * a function that renders ships neither. See `shared/render/README.md`.
 *
 * @module
 */
export {
  ageAt,
  ageGroupOf,
  buildRenderContext,
  type ContextInput,
  customerView,
  productView,
} from "./build-context.js";
export {
  BASE_VARIANT,
  type CompiledTemplate,
  type CompiledTemplates,
  type CompiledVariant,
  parseCompiledTemplates,
  TEMPLATES_FORMAT,
} from "./compiled-templates.js";
export {
  EmailRenderer,
  type RenderedEmail,
  type RendererSettings,
  type RenderRequest,
  type RenderResult,
  readsVariable,
} from "./email-renderer.js";
export {
  DEFAULT_LINK_KEY_GRACE_DAYS,
  formatLinkKeyRing,
  LEGACY_LINK_KEY_ID,
  type LinkKey,
  type LinkKeyRing,
  LinkKeyRingError,
  type LinkKeyStatus,
  linkKeyStatuses,
  parseLinkKeyRing,
  rotateLinkKeyRing,
} from "./link-keys.js";
export { createEngine, type EngineKind, type EngineOptions } from "./liquid-engine.js";
export { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "./preview-settings.js";
export type * from "./render-context.js";
export {
  type EmailPart,
  RenderConfigError,
  RenderError,
  type RenderFailureKind,
  TemplateBuildError,
  type TemplateProblem,
} from "./render-errors.js";
export {
  buildLinks,
  type LinkClaims,
  type LinkPurpose,
  type LinkSettings,
  type LinksView,
  MIN_SECRET_BYTES,
  signLinkToken,
  type TokenRejection,
  type TokenVerification,
  verifyLinkToken,
  verifyUnsubscribeToken,
} from "./signed-links.js";
