export * from "./audience-page.js";
export * from "./choose-source.js";
export * from "./fanout-inputs.js";
export * from "./fanout-part.js";
export * from "./finish-fanout.js";
export * from "./plan-fanout.js";
export * from "./scheduled-journeys.js";
