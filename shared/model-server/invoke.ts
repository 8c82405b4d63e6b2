import { predictXgboost, xgboostFeatureCount } from "../domain/models/xgboost-json.js";
import { assertNever } from "../errors.js";
import type { ModelArtifact } from "./artifacts.js";
import { InvalidInvocationError } from "./errors.js";
import { rowsFromCsv, rowsFromJson, scoreLogistic } from "./logistic.js";
import { parseRecommendationQuery, recommend } from "./recommend.js";

/** The content types the server reads and writes. */
export type MediaType = "application/json" | "text/csv";

/** One inference request, already read from the wire. */
export interface Invocation {
  /** The request's `Content-Type` header, if any (parameters such as `charset` are ignored). */
  readonly contentType: string | undefined;
  /** The request's `Accept` header, if any. */
  readonly accept: string | undefined;
  readonly body: string;
}

/** An inference answer, ready for the wire. */
export interface InvocationResult {
  readonly contentType: MediaType;
  readonly body: string;
}

/**
 * Runs one model on one request. Logistic models read JSON `instances` or CSV rows and answer
 * `{"predictions": [{"score"}]}` or one score per line; XGBoost models read and answer as SageMaker's built-in
 * XGBoost does (CSV rows with empty cells as missing values, scores comma-separated); the recommender reads and
 * answers JSON only.
 * Throws {@link InvalidInvocationError} for anything the caller must fix.
 */
export function invokeModel(model: ModelArtifact, invocation: Invocation): InvocationResult {
  const input = mediaTypeOf(invocation.contentType);
  const output = negotiate(invocation.accept, input);
  switch (model.kind) {
    case "logistic": {
      const count = model.featureNames.length;
      const rows =
        input === "text/csv"
          ? rowsFromCsv(invocation.body, count)
          : rowsFromJson(json(invocation.body), count);
      const scores = scoreLogistic(model, rows);
      return output === "text/csv"
        ? { contentType: output, body: scores.join("\n") }
        : { contentType: output, body: JSON.stringify({ predictions: scores.map((score) => ({ score })) }) };
    }
    case "xgboost": {
      // As SageMaker's XGBoost container: text/csv by default, CSV answers comma-separated on one line.
      const type = invocation.contentType === undefined ? "text/csv" : input;
      const answer = invocation.accept === undefined ? type : negotiate(invocation.accept, type);
      const count = xgboostFeatureCount(model.model);
      const rows =
        type === "text/csv"
          ? rowsFromCsv(invocation.body, count, { missing: true })
          : rowsFromJson(json(invocation.body), count);
      const scores = rows.map((row) => predictXgboost(model.model, row));
      return answer === "text/csv"
        ? { contentType: answer, body: scores.join(",") }
        : { contentType: answer, body: JSON.stringify({ predictions: scores.map((score) => ({ score })) }) };
    }
    case "item-cooccurrence": {
      if (input !== "application/json" || output !== "application/json")
        throw new InvalidInvocationError("the recommender reads and answers application/json only", 415);
      const recommendations = recommend(model, parseRecommendationQuery(json(invocation.body)));
      return { contentType: output, body: JSON.stringify({ recommendations }) };
    }
    default:
      return assertNever(model);
  }
}

function mediaTypeOf(header: string | undefined): MediaType {
  const type = (header ?? "application/json").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json" || type === "text/csv") return type;
  throw new InvalidInvocationError(
    `unsupported Content-Type "${header}": send application/json or text/csv`,
    415,
  );
}

/** The first supported type the caller accepts; with no preference, the request's own type. */
function negotiate(accept: string | undefined, input: MediaType): MediaType {
  if (accept === undefined || accept.trim() === "") return input;
  for (const part of accept.split(",")) {
    const type = part.split(";")[0]?.trim().toLowerCase() ?? "";
    if (type === "application/json" || type === "text/csv") return type;
    if (type === "application/*") return "application/json";
    if (type === "text/*") return "text/csv";
    if (type === "*/*") return input;
  }
  throw new InvalidInvocationError(`cannot answer in "${accept}": accept application/json or text/csv`, 406);
}

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidInvocationError("the body is not valid JSON");
  }
}
