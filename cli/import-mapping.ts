import { readFileSync } from "node:fs";
import { z } from "zod";
import { LocalStackError } from "#infra/local/local-errors.js";
import { FUTURE_TOLERANCE_MS, TIMESTAMP_MIN_MS } from "#shared/domain/events/limits.js";

/** Segment's reserved traits an import row can carry, by their trait names. */
const TRAIT_FIELDS = [
  "email",
  "first_name",
  "last_name",
  "phone",
  "country",
  "city",
  "region",
  "timezone",
  "locale",
  "birthday",
  "gender",
] as const;

/** Customer fields an import row can carry: the id, Segment's reserved traits, times and consent. */
export const CUSTOMER_FIELDS = [
  "customer_id",
  ...TRAIT_FIELDS,
  "created_at",
  "marketing_consent",
  "consent_at",
] as const;

/** Order fields (order level, repeated on each line of a multi-line order) and product line fields. */
export const ORDER_FIELDS = [
  "order_id",
  "ordered_at",
  "currency",
  "total",
  "revenue",
  "discount",
  "product_id",
  "sku",
  "name",
  "category",
  "brand",
  "price",
  "quantity",
] as const;

/** A field of an import row, by its canonical name (the default column name). */
export type ImportField = (typeof CUSTOMER_FIELDS)[number] | (typeof ORDER_FIELDS)[number];

const ALL_FIELDS = [...CUSTOMER_FIELDS, ...ORDER_FIELDS] as const;
const PRODUCT_FIELDS = [
  "product_id",
  "sku",
  "name",
  "category",
  "brand",
] as const satisfies readonly ImportField[];

/** Which column holds each field, extra columns kept as custom traits, and the currency of rows without one. */
export interface ImportMapping {
  /** Field → column; a field left out is read from the column of its own name. */
  readonly columns: Readonly<Partial<Record<ImportField, string>>>;
  /** Custom trait name → column. */
  readonly traits: Readonly<Record<string, string>>;
  /** Currency of order rows without a `currency` value (ISO 4217). @default "USD" */
  readonly defaultCurrency: string;
}

/** The default mapping: every field in the column of its own name; no custom traits; USD. */
export const DEFAULT_MAPPING: ImportMapping = {
  columns: {},
  traits: {},
  defaultCurrency: "USD",
};

const mappingFileSchema = z.strictObject({
  columns: z.partialRecord(z.enum(ALL_FIELDS), z.string().min(1)).optional(),
  traits: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().min(1)).optional(),
  defaultCurrency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "expected a 3-letter ISO 4217 code")
    .optional(),
});

/**
 * Reads a mapping override file (JSON: `columns` field → column, `traits` custom trait → column,
 * `defaultCurrency`) over the default mapping. Names the file, the key and the rule when it is not valid.
 */
export function loadMapping(file: string | undefined): ImportMapping {
  if (file === undefined) return DEFAULT_MAPPING;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) throw new LocalStackError(`${file}: not JSON: ${error.message}`, error);
    throw error;
  }
  const parsed = mappingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
    throw new LocalStackError(`${file}: invalid mapping${where}: ${issue?.message ?? "invalid"}`);
  }
  return {
    columns: { ...DEFAULT_MAPPING.columns, ...parsed.data.columns },
    traits: parsed.data.traits ?? {},
    defaultCurrency: (parsed.data.defaultCurrency ?? DEFAULT_MAPPING.defaultCurrency).toUpperCase(),
  };
}

/** One product line of an order row: Segment's product properties (`product_id`, `sku`, `price`, …). */
export type ImportLine = Readonly<Record<string, string | number>>;

/** The order part of a row. */
export interface ImportOrder {
  readonly orderId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly currency: string;
  readonly total?: number;
  readonly revenue?: number;
  readonly discount?: number;
  readonly line?: ImportLine;
}

/** A row read and checked: who, what they are, and the order line it holds (if any). */
export interface ImportRow {
  readonly line: number;
  readonly customerId: string;
  /** Reserved and custom traits, as given (Segment names). */
  readonly traits: Readonly<Record<string, string>>;
  /** Signed-up time, epoch ms. */
  readonly createdAt?: number;
  readonly consent?: { readonly granted: boolean; readonly at?: number };
  readonly order?: ImportOrder;
}

/** Why a row was refused: its line, the column, the rule broken and what was wrong. */
export interface Refusal {
  readonly line: number;
  /** The column as named in the file (or an event field path when the built event was refused). */
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** A cell as a reader gives it: CSV gives text; JSON lines may give numbers and booleans. */
export type Cell = string | number | boolean | null | undefined;

class RowError extends Error {
  constructor(readonly refusal: Omit<Refusal, "line">) {
    super(refusal.message);
  }
}

const text = (value: Cell): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
};

/**
 * Reads a time: ISO 8601 with an offset; a date or date-time without one (taken as UTC); epoch seconds
 * (10 digits) or milliseconds (13 digits). Refuses times before 2000-01-01 and times in the future.
 */
export function readTime(value: string | number, now: number): number | string {
  let ms: number;
  const s = String(value).trim();
  if (/^\d{10}$/.test(s)) ms = Number(s) * 1000;
  else if (/^\d{13}$/.test(s)) ms = Number(s);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(s))
    ms = Date.parse(`${s.replace(" ", "T")}Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) ms = Date.parse(s);
  else return `expected an ISO 8601 date-time, a date or epoch seconds/milliseconds (got "${s}")`;
  if (Number.isNaN(ms)) return `not a real date: "${s}"`;
  if (ms < TIMESTAMP_MIN_MS) return `expected a time on or after 2000-01-01 (got "${s}")`;
  if (ms > now + FUTURE_TOLERANCE_MS) return `in the future: "${s}" (history only)`;
  return ms;
}

const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  y: true,
  "1": true,
  false: false,
  no: false,
  n: false,
  "0": false,
};

/**
 * Reads one row through the mapping: `cell(column)` gives the value of a column. Returns the checked row, or
 * the first rule it breaks (its column named as in the file). A row needs `customer_id`; a row with an
 * `order_id` is an order line and needs `ordered_at`; a row without one describes the customer only.
 */
export function mapRow(
  mapping: ImportMapping,
  cell: (column: string) => Cell,
  line: number,
  now: number,
): ImportRow | Refusal {
  try {
    return readRow(mapping, cell, line, now);
  } catch (error) {
    if (error instanceof RowError) return { line, ...error.refusal };
    throw error;
  }
}

function readRow(
  mapping: ImportMapping,
  cell: (column: string) => Cell,
  line: number,
  now: number,
): ImportRow {
  const col = (field: ImportField) => mapping.columns[field] ?? field;
  const get = (field: ImportField) => text(cell(col(field)));
  const fail = (field: ImportField, rule: string, message: string): never => {
    throw new RowError({ field: col(field), rule, message });
  };
  const time = (field: ImportField): number | undefined => {
    const raw = cell(col(field));
    const value = typeof raw === "number" ? raw : text(raw);
    if (value === undefined) return undefined;
    const read = readTime(value, now);
    return typeof read === "number"
      ? read
      : fail(field, read.startsWith("in the future") ? "range" : "time", read);
  };
  const amount = (field: ImportField): number | undefined => {
    const value = get(field);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^-?\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) {
      return fail(field, "number", `expected a decimal amount like 19.99 (got "${value}")`);
    }
    if (n < 0) return fail(field, "range", `expected an amount ≥ 0 (got ${value})`);
    return n;
  };

  const customerId = get("customer_id") ?? fail("customer_id", "required", "required: the customer's id");
  const traits: Record<string, string> = {};
  for (const field of TRAIT_FIELDS) {
    const value = get(field);
    if (value !== undefined) traits[field] = value;
  }
  for (const [trait, column] of Object.entries(mapping.traits)) {
    const value = text(cell(column));
    if (value !== undefined) traits[trait] = value;
  }
  const createdAt = time("created_at");
  const consentText = get("marketing_consent");
  let consent: ImportRow["consent"];
  if (consentText !== undefined) {
    const granted = BOOLEANS[consentText.toLowerCase()];
    if (granted === undefined) {
      fail("marketing_consent", "boolean", `expected true/false, yes/no or 1/0 (got "${consentText}")`);
    }
    const at = time("consent_at");
    consent = { granted: granted === true, ...(at === undefined ? {} : { at }) };
  }
  const customer: ImportRow = {
    line,
    customerId,
    traits,
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(consent && { consent }),
  };
  const orderId = get("order_id");
  if (orderId === undefined) return customer;
  const at =
    time("ordered_at") ?? fail("ordered_at", "required", "required: an order row needs the order's time");
  const currency = (get("currency") ?? mapping.defaultCurrency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    fail("currency", "currency", `expected a 3-letter ISO 4217 code (got "${currency}")`);
  const product: Record<string, string | number> = {};
  for (const field of PRODUCT_FIELDS) {
    const value = get(field);
    if (value !== undefined) product[field] = value;
  }
  const price = amount("price");
  if (price !== undefined) product.price = price;
  const quantityText = get("quantity");
  if (quantityText !== undefined) {
    const quantity = Number(quantityText);
    if (!/^\d+$/.test(quantityText) || quantity < 1) {
      fail("quantity", "integer", `expected a whole number ≥ 1 (got "${quantityText}")`);
    }
    product.quantity = quantity;
  }
  if (Object.keys(product).length > 0 && product.product_id === undefined && product.sku === undefined) {
    fail("product_id", "required", "required: a product line needs product_id or sku");
  }
  const [total, revenue, discount] = [amount("total"), amount("revenue"), amount("discount")];
  const order: ImportOrder = {
    orderId,
    at,
    currency,
    ...(total === undefined ? {} : { total }),
    ...(revenue === undefined ? {} : { revenue }),
    ...(discount === undefined ? {} : { discount }),
    ...(Object.keys(product).length > 0 ? { line: product } : {}),
  };
  return { ...customer, order };
}

/** Whether `mapRow` refused the row. */
export function isRefusal(row: ImportRow | Refusal): row is Refusal {
  return "rule" in row;
}
