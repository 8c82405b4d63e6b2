/**
 * The shop's catalog and content library as the domain sees them: changes customers may want to hear about,
 * and content items chosen by interest.
 *
 * @module
 */
export { type CatalogChange, catalogChangeSchema } from "./catalog-change.js";
export {
  type ChosenContent,
  CONTENT_BLOCK_MAX,
  type ContentChoiceInput,
  chooseContent,
  contentInterests,
  type Interests,
  translationKey,
} from "./choose-content.js";
export type { ContentItem } from "./content-item.js";
export { CONTENT_TAGS_MAX, type ContentRowResult, contentRowSchema, readContentRow } from "./content-row.js";
export {
  purchasesOfBatch,
  WATCH_RETENTION_DAYS,
  WATCH_RETENTION_MS,
  WATCHES_PER_BATCH_MAX,
  type Watch,
  type Watcher,
  type WatchKind,
  watchesOfBatch,
} from "./watches.js";
