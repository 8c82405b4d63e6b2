/**
 * `code/inference.py` of a recommender's `model.tar.gz`: the script SageMaker's framework containers run in script
 * mode (the built-in `sagemaker-xgboost:1.7-1` image with `SAGEMAKER_PROGRAM=inference.py` and
 * `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code`, see docs/models.md), so the recommender needs no Docker build.
 * It loads `recommender.json` and answers what `SageMakerRecommender` sends, as the local model server does
 * (`recommendItems`, `parseRecommendationQuery`): Python's standard library only. Kept as text here so the
 * training function packs it with every version (a test runs it against the TypeScript server's answers).
 */
export const RECOMMENDER_INFERENCE_PY = `"""Tailor's item co-occurrence recommender, served by a SageMaker framework container in script mode.

The container calls model_fn(model_dir) once, then input_fn -> predict_fn -> output_fn per request
(sagemaker-inference-toolkit). The request is what Tailor's SageMakerRecommender sends:
{"customer_id", "k", "seeds": [{"product_id", "kind", "weight"}], "category_affinity": [{"category", "score"}],
"recently_viewed", "categories"}; the answer {"recommendations": [{"product_id", "score"}]}, best first.
The same ranking as recommendItems in shared/domain/models/cooccurrence.ts. Standard library only.
"""
import json
import math
import os

MODEL_FILE = "recommender.json"
MAX_K = 1000
SEEDS_MAX = 40
VIEW_RANK_DECAY = 0.9
CATEGORY_WEIGHT = 1
KINDS = ("view", "cart", "purchase")
JSON_TYPE = "application/json"

try:
    from sagemaker_inference.errors import BaseInferenceToolkitError

    class InvalidRequest(BaseInferenceToolkitError):
        """A request the caller must fix: answered with its status and message."""

        def __init__(self, message, status=400):
            super(InvalidRequest, self).__init__(status, message, message)

except ImportError:

    class InvalidRequest(ValueError):
        """A request the caller must fix (outside the container: no toolkit)."""

        def __init__(self, message, status=400):
            super(InvalidRequest, self).__init__(message)
            self.status_code = status
            self.message = message


def model_fn(model_dir):
    """Loads recommender.json: neighbours, best sellers, best sellers per category."""
    with open(os.path.join(model_dir, MODEL_FILE), encoding="utf-8") as handle:
        model = json.load(handle)
    if not isinstance(model, dict) or model.get("kind") != "item-cooccurrence":
        raise ValueError(MODEL_FILE + " is not an item-cooccurrence recommender")
    return {
        "neighbours": model.get("neighbours") or {},
        "popular": model.get("popular") or [],
        "popularByCategory": model.get("popularByCategory") or {},
    }


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _string_list(value, name):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRequest('"' + name + '" must be an array of strings')
    return value


def _seeds(value):
    if not isinstance(value, list):
        raise InvalidRequest('"seeds" must be an array')
    seeds = []
    for i, seed in enumerate(value[:SEEDS_MAX]):
        seed = seed if isinstance(seed, dict) else {}
        product_id, kind, weight = seed.get("product_id"), seed.get("kind"), seed.get("weight")
        if not isinstance(product_id, str) or kind not in KINDS:
            raise InvalidRequest(
                '"seeds[%d]" must be {"product_id": text, "kind": "view" | "cart" | "purchase", "weight": number}' % i
            )
        if not _is_number(weight) or weight < 0:
            raise InvalidRequest('"seeds[%d].weight" must be a number >= 0' % i)
        seeds.append((product_id, weight))
    return seeds


def _affinity(value):
    if not isinstance(value, list):
        raise InvalidRequest('"category_affinity" must be an array')
    affinity = []
    for i, entry in enumerate(value):
        entry = entry if isinstance(entry, dict) else {}
        category, score = entry.get("category"), entry.get("score")
        if not isinstance(category, str) or not _is_number(score):
            raise InvalidRequest('"category_affinity[%d]" must be {"category": text, "score": number}' % i)
        affinity.append((category, score))
    return affinity


def parse_request(body):
    """The query of a decoded request: k, weighted seeds, category affinity (older fields as fallbacks)."""
    if not isinstance(body, dict):
        raise InvalidRequest('expected {"k": n, "seeds": [...], ...}')
    k = body.get("k")
    if not _is_number(k) or float(k) != int(k) or k < 1 or k > MAX_K:
        raise InvalidRequest('"k" must be an integer from 1 to %d' % MAX_K)
    if "seeds" in body:
        seeds = _seeds(body["seeds"])
    else:
        viewed = _string_list(body.get("recently_viewed"), "recently_viewed")
        seeds = [(product_id, VIEW_RANK_DECAY**rank) for rank, product_id in enumerate(viewed)]
    if "category_affinity" in body:
        affinity = _affinity(body["category_affinity"])
    else:
        categories = _string_list(body.get("categories"), "categories")
        affinity = [(category, 1 / (rank + 1)) for rank, category in enumerate(categories)]
    return {"k": int(k), "seeds": seeds, "affinity": affinity}


def _round(x):
    """As JavaScript's Math.round(x * 1e6) / 1e6 (halves up, not to even)."""
    scaled = x * 1e6
    whole = math.floor(scaled)
    if scaled - whole >= 0.5:
        whole += 1
    return whole / 1e6


def recommend(model, query):
    """Up to k products, best first: seeds and their neighbours, category best sellers, then best sellers."""
    k = query["k"]
    scores = {}

    def add(product_id, score):
        scores[product_id] = scores.get(product_id, 0) + score

    total = 0
    for _, weight in query["seeds"]:
        total = total + max(0, weight)
    for product_id, weight in query["seeds"]:
        if weight <= 0:
            continue
        share = weight / total
        add(product_id, share)
        for item, similarity in model["neighbours"].get(product_id, []):
            add(item, share * similarity)
    affinity = [(category, score) for category, score in query["affinity"] if score > 0]
    affinity_total = 0
    for _, score in affinity:
        affinity_total = affinity_total + score
    for category, score in affinity:
        for rank, product_id in enumerate(model["popularByCategory"].get(category, [])):
            add(product_id, CATEGORY_WEIGHT * score / affinity_total / (rank + 1))
    ranked = sorted(scores.items(), key=lambda entry: (-entry[1], entry[0]))[:k]
    chosen = set(product_id for product_id, _ in ranked)
    for product_id in model["popular"]:
        if len(ranked) >= k:
            break
        if product_id in chosen:
            continue
        chosen.add(product_id)
        ranked.append((product_id, 0))
    return [{"product_id": product_id, "score": _round(score)} for product_id, score in ranked]


def input_fn(input_data, content_type):
    """Reads a JSON request (the toolkit gives JSON as text; bytes are decoded too)."""
    media = (content_type or JSON_TYPE).split(";")[0].strip().lower()
    if media != JSON_TYPE:
        raise InvalidRequest("the recommender reads and answers application/json only", 415)
    if isinstance(input_data, (bytes, bytearray)):
        input_data = input_data.decode("utf-8")
    try:
        body = json.loads(input_data)
    except ValueError:
        raise InvalidRequest("the body is not valid JSON")
    return parse_request(body)


def predict_fn(input_data, model):
    return recommend(model, input_data)


def output_fn(prediction, accept):
    media = (accept or JSON_TYPE).split(";")[0].strip().lower()
    if media not in (JSON_TYPE, "application/*", "*/*"):
        raise InvalidRequest("the recommender answers application/json only", 406)
    return json.dumps({"recommendations": prediction}), JSON_TYPE
`;
