import { existsSync, statSync } from "node:fs";
import { isAbsolute, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CfnResource, Duration, RemovalPolicy, Token, Validations } from "aws-cdk-lib";
import { type IRole, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, LoggingFormat, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type ICommandHooks, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { type ILogGroup, LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { z } from "zod";
import { ENTRY_METADATA } from "../local-names.js";
import { FUNCTION_BUNDLING } from "./function-bundling.js";
import { InfraConfigError } from "./infra-config-error.js";

/** The repository root, where `package-lock.json` and `tsconfig.json` live. */
const projectRoot = new URL("../../", import.meta.url);

/** Variables this construct sets itself; a schema may not claim them. */
const reservedVariables = new Set(["NODE_OPTIONS"]);

/** A folder shipped inside a function's bundle, beside the code, for the function to read at run time. */
export interface BundledFolder {
  /** Absolute path of the folder to copy. */
  readonly source: string;
  /**
   * Where it lands, relative to the bundle root: Lambda's task root (`/var/task`), which is also the working
   * directory of the function, so the same relative path finds it.
   */
  readonly target: string;
}

/** Props of {@link ProjectFunction}. */
export interface ProjectFunctionProps<S extends z.ZodObject> {
  /** Absolute path of the handler's TypeScript entry file. */
  readonly entry: string;
  /**
   * Name of the exported handler.
   * @default "handler"
   */
  readonly handler?: string;
  /** The function's environment schema, the same the handler validates at cold start. */
  readonly environmentSchema: S;
  /**
   * The function's environment, typed from the schema: a missing variable is a compile error. Values may be
   * CDK tokens (a table name, a bucket name); literal values are also checked against the schema at synth.
   */
  readonly environment: z.input<S>;
  /**
   * A description shown in the Lambda console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Memory in MB; CPU grows with it.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run.
   * @default 30 seconds
   */
  readonly timeout?: Duration;
  /**
   * Instances reserved for the function, and the most it may run at once: a flood of requests then fails fast
   * with throttling instead of taking the account's concurrency from the other functions. Lambda refuses a
   * reservation that leaves the account less than its minimum unreserved (100 at the standard quota of 1,000; a
   * new account's lower quota may allow none).
   * @default - no reservation: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's logs are kept.
   * @default one month
   */
  readonly logRetention?: RetentionDays;
  /**
   * Folders copied into the bundle after esbuild has run (content the code reads as files, such as segment
   * definitions). Each must exist when the app is synthesised.
   * @default - the code alone
   */
  readonly bundledFolders?: readonly BundledFolder[];
  /**
   * Shell commands run after esbuild and the folder copies, in the bundle's output directory, only when the
   * function is bundled for real (never when synthesising with placeholder assets).
   * @default - none
   */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * A Node.js Lambda function with the project's defaults: Node 22 on arm64, an ESM bundle minified by esbuild
 * with source maps enabled at run time, JSON logs into an explicit log group with a retention, active X-Ray
 * tracing, and a role of its own that holds only what it is granted (no AWS managed policy).
 */
export class ProjectFunction<S extends z.ZodObject> extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** The function's execution role. */
  readonly role: IRole;
  /** The function's log group. */
  readonly logGroup: ILogGroup;
  /** Absolute path of the handler's TypeScript entry, which esbuild bundles. */
  readonly entry: string;
  /**
   * The commands the CDK runs around esbuild to complete the code asset (the folder copies, then the function's
   * own `afterBundling`), as `NodejsFunction` was given them; `undefined` when the asset is the bundle alone. Read
   * by `writeFunctionAssets` (`infra/function-assets.ts`) to build the same asset outside the CDK.
   */
  readonly commandHooks: ICommandHooks | undefined;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps<S>) {
    super(scope, id);
    const environment = validateEnvironment(props.environmentSchema, props.environment);
    const folders = (props.bundledFolders ?? []).map(validateFolder);
    const reserved = props.reservedConcurrentExecutions;
    if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new InfraConfigError(`reservedConcurrentExecutions must be a positive integer, got ${reserved}`);
    }

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(role);
    this.role = role;
    this.entry = props.entry;
    this.commandHooks =
      folders.length === 0 && props.afterBundling === undefined
        ? undefined
        : afterBundlingHooks(folders, props.afterBundling);

    this.function = new NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: props.handler ?? "handler",
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: reserved,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: { ...environment, NODE_OPTIONS: "--enable-source-maps" },
      projectRoot: fileURLToPath(projectRoot),
      depsLockFilePath: fileURLToPath(new URL("package-lock.json", projectRoot)),
      bundling: {
        // FUNCTION_BUNDLING's, which the bundle budgets build with.
        format: OutputFormat.ESM,
        target: FUNCTION_BUNDLING.target,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        banner: FUNCTION_BUNDLING.banner,
        minify: FUNCTION_BUNDLING.minify,
        sourceMap: FUNCTION_BUNDLING.sourceMap,
        // The same SDK version the code is tested with, not whichever the runtime ships.
        bundleAwsSDK: true,
        commandHooks: this.commandHooks,
      },
    });
    // The local stack loads the handler from this entry (infra/local/handler-loader.ts).
    const cfnFunction = this.function.node.defaultChild;
    if (cfnFunction instanceof CfnResource) {
      const entry = relative(fileURLToPath(projectRoot), props.entry).split(sep).join("/");
      cfnFunction.addMetadata(ENTRY_METADATA, entry);
    }
    Validations.of(this.function).acknowledge({
      id: "AwsSolutions-L1",
      reason: "Node.js 22 is the runtime the project builds, tests and runs locally on; it moves as one.",
    });
    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "Active tracing: X-Ray PutTraceSegments and PutTelemetryRecords support no resource scoping.",
    });
  }
}

/** Characters that would break out of the double-quoted shell words the copy commands are made of. */
const unsafeInShell = /["$`\\\n]/;

/** Checks a bundled folder at synth: an existing absolute source, a target inside the bundle, shell-safe. */
function validateFolder(folder: BundledFolder): BundledFolder {
  const target = normalize(folder.target);
  if (!isAbsolute(folder.source)) {
    throw new InfraConfigError(`bundled folder ${folder.source} must be an absolute path`);
  }
  if (!existsSync(folder.source) || !statSync(folder.source).isDirectory()) {
    throw new InfraConfigError(`bundled folder ${folder.source} does not exist`);
  }
  if (isAbsolute(target) || target === "." || target.split(sep).includes("..")) {
    throw new InfraConfigError(`bundled folder target ${folder.target} must be a folder inside the bundle`);
  }
  if (unsafeInShell.test(folder.source) || unsafeInShell.test(target)) {
    throw new InfraConfigError(`bundled folder ${folder.source} → ${folder.target}: unsupported characters`);
  }
  return { source: folder.source, target: target.split(sep).join("/") };
}

/**
 * The hook that copies the folders into esbuild's output, then runs the function's own commands. A folder inside
 * the project is addressed through `inputDir`, which is the project root when bundling locally and its mount
 * when bundling in Docker.
 */
function afterBundlingHooks(
  folders: readonly BundledFolder[],
  more: ((inputDir: string, outputDir: string) => string[]) | undefined,
): ICommandHooks {
  const root = fileURLToPath(projectRoot);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      ...folders.flatMap(({ source, target }) => {
        const inProject = relative(root, source);
        const from =
          inProject !== "" && !inProject.startsWith("..") && !isAbsolute(inProject)
            ? `${inputDir}/${inProject.split(sep).join("/")}`
            : source;
        return [`mkdir -p "${outputDir}/${target}"`, `cp -R "${from}/." "${outputDir}/${target}/"`];
      }),
      ...(more?.(inputDir, outputDir) ?? []),
    ],
  };
}

/** The environment as Lambda wants it, after checking it against the schema. */
function validateEnvironment<S extends z.ZodObject>(
  schema: S,
  environment: z.input<S>,
): Record<string, string> {
  const expected = Object.keys(schema.shape);
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (reservedVariables.has(name))
      throw new InfraConfigError(`environment variable ${name} is set by ProjectFunction`);
    if (!expected.includes(name))
      throw new InfraConfigError(`environment variable ${name} is not in the schema`);
    if (typeof value !== "string")
      throw new InfraConfigError(`environment variable ${name} must be a string`);
    variables[name] = value;
  }
  // An optional variable may be left out; the schema says which are.
  const missing = expected.filter(
    (name) => !(name in variables) && !schema.shape[name]?.safeParse(undefined).success,
  );
  if (missing.length > 0) throw new InfraConfigError(`environment variables missing: ${missing.join(", ")}`);

  // Tokens resolve at deploy time; only literal values can be checked now.
  const parsed = schema.safeParse(variables);
  if (!parsed.success) {
    const problems = parsed.error.issues.filter((issue) => {
      const name = issue.path[0];
      return !(typeof name === "string" && Token.isUnresolved(variables[name]));
    });
    if (problems.length > 0) {
      const messages = problems.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      throw new InfraConfigError(`invalid environment: ${messages.join("; ")}`);
    }
  }
  return variables;
}
