/** Longest id (`messageId`, `userId`, `product_id`, …) after trimming; longer is an error. */
export const ID_MAX = 256;
/** Longest name (event name, product name, category, trait such as `first_name`); longer is an error. */
export const NAME_MAX = 512;
/** Longest URL kept (page url, clicked link); longer is an error. */
export const URL_MAX = 2048;
/** Most products listed in one event (cart, checkout, order, refund). */
export const PRODUCTS_MAX = 200;
/** Most free-form keys kept from custom properties or custom traits; the rest are dropped. */
export const CUSTOM_FIELDS_MAX = 50;
/** Longest free-form key kept; longer keys are dropped. */
export const CUSTOM_KEY_MAX = 64;
/** Longest free-form string value kept; longer values are dropped. */
export const CUSTOM_VALUE_MAX = 256;
/** Largest money amount accepted, in major units. */
export const AMOUNT_MAX = 1e12;
/** Largest quantity accepted. */
export const QUANTITY_MAX = 1_000_000;
/** Largest record `decodeEvent` accepts: 1 MiB, the Kinesis record limit. */
export const RECORD_BYTES_MAX = 1_048_576;
/** Deepest JSON nesting accepted (the top-level object is depth 1). */
export const JSON_DEPTH_MAX = 32;
/** Earliest event time accepted: 2000-01-01T00:00:00Z. */
export const TIMESTAMP_MIN_MS = Date.UTC(2000, 0, 1);
/** How far ahead of `now` an event time may be (clock skew on devices). */
export const FUTURE_TOLERANCE_MS = 86_400_000;
