/**
 * Email templates: compiled once at build time (MJML → HTML with Liquid intact), rendered per recipient with
 * Liquid only. See `shared/render/README.md`.
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
export { BASE_VARIANT, type CompiledTemplate, type CompiledVariant } from "./compile-template.js";
export { type CompileOptions, compileTemplates, type SampleContext } from "./compile-templates.js";
export { type CompiledTemplates, TEMPLATES_FORMAT } from "./compiled-templates.js";
export {
  EmailRenderer,
  type RenderedEmail,
  type RendererSettings,
  type RenderRequest,
  type RenderResult,
} from "./email-renderer.js";
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
  type TokenVerification,
  verifyLinkToken,
  verifyUnsubscribeToken,
} from "./signed-links.js";
