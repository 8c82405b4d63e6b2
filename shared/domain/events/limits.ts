/** Longest id (`messageId`, `userId`, `product_id`, …) after trimming; longer is an error. */
export const ID_MAX = 256;
/** Longest name (event name, product name, category, trait such as `first_name`); longer is an error. */
export const NAME_MAX = 512;
/** Longest URL kept (page url, clicked link); longer is an error. */
export const URL_MAX = 2048;
/** Most products listed in one event (cart, checkout, order, refund). */
export const PRODUCTS_MAX = 200;
/** Most page keywords (`properties.keywords`) read from a page view; the rest are left out. */
export const PAGE_KEYWORDS_MAX = 20;
/** Longest page keyword read; longer ones are left out. */
export const PAGE_KEYWORD_MAX = 64;
/** Most free-form keys kept from custom properties or custom traits; the rest are dropped. */
export const CUSTOM_FIELDS_MAX = 50;
/** Longest free-form key kept; longer keys are dropped. */
export const CUSTOM_KEY_MAX = 64;
/**
 * Longest free-form string value kept; longer values are dropped. Free-form numbers are kept when DynamoDB
 * stores them exactly: an integer within ±(2^53 − 1), or a fraction of magnitude 10^-130 to 2^53. An integer
 * literal beyond 2^53 (a 20-digit id sent as a number) is kept as its exact decimal text; other numbers are
 * dropped.
 */
export const CUSTOM_VALUE_MAX = 256;
/** Largest money amount accepted in one field, in major units (the minor-unit bound below applies too). */
export const AMOUNT_MAX = 1e12;
/**
 * Largest amount in integer minor units any one event may carry: each amount field, each product line's
 * price × quantity, and the sum of the lines. 10^15 is 10 trillion USD or EUR, 1 trillion KWD, 100 billion CLF,
 * 1 quadrillion JPY, and stays far below 2^53 (about 9.007 × 10^15), so every amount is an exact integer that
 * DynamoDB stores as it is. An event over it is refused by validation (rule `too_big`) and quarantined.
 */
export const MONEY_MINOR_MAX = 1e15;
/** Largest quantity accepted. */
export const QUANTITY_MAX = 1_000_000;
/** Largest record `decodeEvent` accepts: 1 MiB, the Kinesis record limit. */
export const RECORD_BYTES_MAX = 1_048_576;
/** Deepest JSON nesting accepted (the top-level object is depth 1). */
export const JSON_DEPTH_MAX = 32;
/** Earliest event time accepted: 2000-01-01T00:00:00Z. */
export const TIMESTAMP_MIN_MS = Date.UTC(2000, 0, 1);
/**
 * How far ahead of the time received (`now`) an event time is taken as it is: 5 minutes of device clock skew.
 * A time further ahead is clamped to the time received, and the event carries how far ahead it was
 * (`clockSkewMs`), so one skewed clock cannot pin the profile's snapshots (traits, cart) in the future.
 */
export const FUTURE_TOLERANCE_MS = 300_000;
/** Latest event time that is a time at all: 8.64 × 10^15 ms (+275760-09-13), the end of ECMAScript's `Date`. */
export const TIMESTAMP_MAX_MS = 8.64e15;
/** Scalar group traits kept from a `group` call (`name` first, then in the order sent); the rest are dropped. */
export const GROUP_TRAITS_MAX = 5;
/** Longest text value of a group trait kept; longer values are dropped. */
export const GROUP_TRAIT_VALUE_MAX = 100;
/**
 * Most events in one record holding a JSON array of events (`[{…}, {…}]`), like Segment's batch limit: a longer
 * array is quarantined whole (rule `too_big`).
 */
export const EVENTS_PER_RECORD_MAX = 500;
/** Prefix of a `messageId` Tailor derived from the record's bytes because the event had none. */
export const DERIVED_ID_PREFIX = "derived-";
