export {
  type LogisticArtifact,
  loadArtifactDirectory,
  type ModelArtifact,
  parseArtifact,
  parseArtifactBytes,
  parseModelTarball,
  type RecommenderArtifact,
  type XgboostArtifact,
} from "./artifacts.js";
export { InvalidArtifactError, InvalidInvocationError } from "./errors.js";
export { type Invocation, type InvocationResult, invokeModel, type MediaType } from "./invoke.js";
export { type ModelServer, type ModelServerOptions, startModelServer } from "./model-server.js";
