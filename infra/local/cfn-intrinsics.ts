import { TemplateError } from "./local-errors.js";

/** What intrinsic functions resolve against: pseudo parameters, parameters, and each resource's Ref/GetAtt. */
export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The `Ref` value of a resource, or `undefined` if there is no such resource. */
  ref(logicalId: string): string | undefined;
  /** The `Fn::GetAtt` value of a resource attribute, or `undefined` if unknown. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

type Resolved = string | Resolved[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pseudo(name: string, ctx: ResolveContext): string | undefined {
  switch (name) {
    case "AWS::Region":
      return ctx.region;
    case "AWS::AccountId":
      return ctx.accountId;
    case "AWS::Partition":
      return "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    case "AWS::StackName":
      return ctx.stackName;
    case "AWS::StackId":
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`;
    case "AWS::NoValue":
      return "";
    default:
      return undefined;
  }
}

function ref(name: string, ctx: ResolveContext, where: string): string {
  const found = pseudo(name, ctx) ?? ctx.parameters[name] ?? ctx.ref(name);
  if (found === undefined) throw new TemplateError(`${where}: Ref to unknown "${name}"`);
  return found;
}

function getAtt(target: unknown, ctx: ResolveContext, where: string): string {
  const [logicalId, attribute] =
    typeof target === "string" ? target.split(/\.(.*)/s) : Array.isArray(target) ? target : [];
  if (typeof logicalId !== "string" || typeof attribute !== "string") {
    throw new TemplateError(`${where}: malformed Fn::GetAtt ${JSON.stringify(target)}`);
  }
  const found = ctx.getAtt(logicalId, attribute);
  if (found === undefined)
    throw new TemplateError(`${where}: cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  return found;
}

function sub(args: unknown, ctx: ResolveContext, where: string): string {
  const [text, vars] = typeof args === "string" ? [args, {}] : Array.isArray(args) ? args : [];
  if (typeof text !== "string" || !isRecord(vars)) {
    throw new TemplateError(`${where}: malformed Fn::Sub ${JSON.stringify(args)}`);
  }
  return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, bang: string, name: string) => {
    if (bang === "!") return `\${${name}}`;
    if (name in vars) return resolveString(vars[name], ctx, where);
    return name.includes(".") && pseudo(name, ctx) === undefined
      ? getAtt(name, ctx, where)
      : ref(name, ctx, where);
  });
}

function resolve(value: unknown, ctx: ResolveContext, where: string): Resolved {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => resolve(item, ctx, where));
  if (!isRecord(value)) throw new TemplateError(`${where}: cannot use ${JSON.stringify(value)} as a value`);
  const [fn, ...others] = Object.keys(value);
  if (fn === undefined || others.length > 0) {
    throw new TemplateError(`${where}: expected one intrinsic function, got ${JSON.stringify(value)}`);
  }
  const args = value[fn];
  switch (fn) {
    case "Ref":
      if (typeof args !== "string") throw new TemplateError(`${where}: malformed Ref`);
      return ref(args, ctx, where);
    case "Fn::GetAtt":
      return getAtt(args, ctx, where);
    case "Fn::Sub":
      return sub(args, ctx, where);
    case "Fn::Join": {
      const [separator, list] = Array.isArray(args) ? args : [];
      const items = resolve(list, ctx, where);
      if (typeof separator !== "string" || !Array.isArray(items)) {
        throw new TemplateError(`${where}: malformed Fn::Join`);
      }
      return items.map((item) => (typeof item === "string" ? item : item.join(","))).join(separator);
    }
    default:
      throw new TemplateError(`${where}: ${fn} is not supported by the local stack`);
  }
}

/**
 * Resolves a template value to a string: literals as they are; `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join`
 * (the intrinsics the app's template uses where the local stack reads it) against `ctx`. Anything else is a {@link TemplateError} naming `where`.
 */
export function resolveString(value: unknown, ctx: ResolveContext, where: string): string {
  const resolved = resolve(value, ctx, where);
  if (typeof resolved !== "string") throw new TemplateError(`${where}: expected a string, got a list`);
  return resolved;
}
