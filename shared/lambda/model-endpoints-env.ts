import { z } from "zod";

/** Model name → SageMaker endpoint name, as JSON (e.g. `{"purchase_30d":"tailor-purchase-30d"}`). */
export const modelEndpointsSchema = z.record(z.string().min(1), z.string().min(1));
