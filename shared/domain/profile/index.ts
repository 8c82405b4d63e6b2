export { AFFINITY_CATEGORIES_MAX, AFFINITY_HALF_LIFE_MS, AFFINITY_WEIGHTS, affinityAt } from "./affinity.js";
export { boughtAt } from "./bought-at.js";
export { attributedTouch, touchCampaign } from "./campaign-touch.js";
export { type CartChange, cartChangeOf, cartValue, changeCart } from "./cart.js";
export { clockSkewNote } from "./clock-skew.js";
export { fromStoredKey, ownEntry, toStoredKey } from "./data-keys.js";
export { DEDUP_MAX_IDS, DEDUP_WINDOW_MS, dedupBytesPerId, estimateDedupBytes } from "./dedup.js";
export {
  type EmailEngagement,
  emailEngagement,
  type RecentSend,
  type RecentSends,
  recentSendFlags,
  recentSends,
} from "./email-engagement.js";
export { FoldInputError, type FoldResult, foldEvents } from "./fold-events.js";
export {
  KIND_CODES,
  type KindCode,
  PRODUCT_KINDS,
  type ProductKind,
  WINDOW_KINDS,
  type WindowKind,
  type WindowKindOrName,
} from "./kind-codes.js";
export {
  LIFECYCLE_ACTIVE_DAYS,
  LIFECYCLE_LAPSED_DAYS,
  lifecycleAt,
  lifecycleNextChangeAt,
} from "./lifecycle.js";
export { mergeProfiles } from "./merge-profiles.js";
export {
  mergeOpenHours,
  OPEN_HOURS_BUCKETS,
  OPEN_HOURS_HALF_LIFE_MS,
  openHoursAt,
  openHoursZone,
  recordOpenHour,
} from "./open-hours.js";
export { averageOrderValue, boughtTimes, isKnownOrder, orderReversal } from "./orders.js";
export * from "./profile.js";
export { KNOWN_TRAITS } from "./profile-traits.js";
export {
  countInWindow,
  DAILY_BUCKETS,
  DAY_MS,
  HOUR_MS,
  HOURLY_BUCKETS,
  lastAt,
  type WindowFilter,
} from "./windows.js";
