import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { loadSesServer } from "#infra/local/ses-server.js";

/** The endpoints a started child reports (see `stack-process.ts`). */
const readySchema = z.object({
  ready: z.object({
    dynamodb: z.string(),
    kinesis: z.string(),
    sqs: z.string(),
    s3: z.string(),
    sesv2: z.string(),
  }),
  pid: z.number(),
});
export type ChildEndpoints = z.infer<typeof readySchema>["ready"];

const SCRIPT = path.resolve("test/faults/support/stack-process.ts");

/**
 * One run of the local stack in a child process on a data dir: started, then killed (SIGKILL, no cleanup at all)
 * or stopped. Its stderr is kept (the last lines are shown when it fails to start).
 */
export class StackChild {
  readonly endpoints: ChildEndpoints;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, endpoints: ChildEndpoints, exited: Promise<void>) {
    this.#child = child;
    this.endpoints = endpoints;
    this.#exited = exited;
  }

  /** Starts the stack on `dataDir` (kept as it is: a restart after a kill) and resolves once it serves. */
  static async start(options: {
    readonly dataDir: string;
    readonly sesUrl: string;
    readonly campaignsDir: string;
    /** Where the synthesised template is cached between starts (see `stack-process.ts`). */
    readonly templateFile: string;
    /** The sends queue's visibility timeout (see `stack-process.ts`). */
    readonly sendsVisibilitySeconds: number;
    readonly timeoutMs?: number;
  }): Promise<StackChild> {
    // Node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild, which a SIGKILL of
    // the CLI would leave running.
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, options.dataDir], {
      env: {
        ...process.env,
        FAULTS_SES_URL: options.sesUrl,
        FAULTS_CAMPAIGNS_DIR: options.campaignsDir,
        FAULTS_TEMPLATE_FILE: options.templateFile,
        FAULTS_SENDS_VISIBILITY_S: String(options.sendsVisibilitySeconds),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr.push(chunk);
      if (stderr.length > 200) stderr.shift();
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stdout = child.stdout;
    if (stdout === null) throw new Error("the stack child has no stdout");
    const lines = createInterface({ input: stdout });
    const timeoutMs = options.timeoutMs ?? 90_000;
    const endpoints = await new Promise<ChildEndpoints>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the stack did not start within ${timeoutMs} ms:\n${stderr.join("")}`));
      }, timeoutMs);
      lines.on("line", (line) => {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          return;
        }
        const parsed = readySchema.safeParse(json);
        if (!parsed.success) return;
        clearTimeout(timer);
        resolve(parsed.data.ready);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the stack exited before it served:\n${stderr.join("")}`));
      });
    });
    return new StackChild(child, endpoints, exited);
  }

  /** SIGKILL: the process dies wherever it is, mid-write or mid-send. Resolves once it is gone. */
  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM: a clean stop (pollers finish their batch, emulators flush). */
  async stop(): Promise<void> {
    this.#child.kill("SIGTERM");
    await this.#exited;
  }
}

/**
 * An aws-ses-v2-local in the test process: the stack children send their mail here, so every email any of them
 * sent stays readable (`GET <url>/store`) across their kills.
 */
export async function startMailSink(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await loadSesServer()({ host: "127.0.0.1", port: 0 });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the mail sink did not listen");
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
