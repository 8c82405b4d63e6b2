export { type DecodedEvent, type DecodeOptions, decodeEvent, decodeEventBytes } from "./decode-event.js";
export { EVENT_KINDS, EVENT_NAMES, type EventKind, type TrackKind, trackKindOf } from "./event-kinds.js";
export type {
  AliasEvent,
  BounceType,
  CartViewedEvent,
  CheckoutStartedEvent,
  ConsentPurpose,
  ConsentUpdatedEvent,
  CustomEvent,
  EmailBouncedEvent,
  EmailEvent,
  EmailRef,
  GroupEvent,
  IdentifyEvent,
  OrderCompletedEvent,
  OrderRefundedEvent,
  PageEvent,
  Product,
  ProductEvent,
  Scalar,
  ScreenEvent,
  TailorEvent,
  Traits,
  UnsubscribedEvent,
} from "./event-types.js";
export { CONSENT_PURPOSES } from "./event-types.js";
export { EventValidationError, type ValidationIssue } from "./event-validation-error.js";
export { isSafeKey } from "./json-guard.js";
export * from "./limits.js";
export { currencyExponent, DEFAULT_CURRENCY, toMinorUnits } from "./money.js";
export { type ParseOptions, type ParseResult, parseEvent } from "./parse-event.js";
