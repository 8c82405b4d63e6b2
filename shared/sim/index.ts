/**
 * The synthetic shop: a seeded, deterministic simulator of raw Segment-spec events (page views, the e-commerce
 * funnel, sign-ups, logins on new and shared browsers, newsletter leads, consent, newsletter e-mail events) for
 * the demo, tests, benchmarks and model training.
 */

export { buildCatalog, CATEGORIES, type Category, PRODUCTS_PER_CATEGORY, type Product } from "./catalog.js";
export { SIMULATOR_CATALOG_SEED, simulatorCatalogProducts } from "./catalog-products.js";
export { DEMO_CONTENT_LANGUAGES, demoContentLibrary } from "./content-library.js";
export {
  buildCustomers,
  type Customer,
  type CustomerTraits,
  customerId,
  MARKETING_CONSENT_RATE,
} from "./customers.js";
export { estimateEvents } from "./estimate.js";
export { ECOMMERCE_EVENTS, EMAIL_EVENTS } from "./event-names.js";
export {
  MALFORMED_KINDS,
  type MalformedKind,
  type MalformedRecord,
  malformed,
  malformedRecords,
} from "./malformed.js";
export { PERSONA_BEHAVIOUR, type Persona, type PersonaBehaviour } from "./personas.js";
export { deriveSeed, mulberry32, Rng } from "./prng.js";
export type { SimOptions, SimRecord } from "./records.js";
export { SimOptionsError } from "./sim-options-error.js";
export { simulate } from "./simulate.js";
export { archivedSimRecord, memoryArchive } from "./simulated-archive.js";
export { DEFAULT_TRAINING_START, simulatedHistory, type TrainingHistoryOptions } from "./training-history.js";
