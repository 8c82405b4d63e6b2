import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AssetHashType, DockerImage } from "aws-cdk-lib";
import { type ISource, Source } from "aws-cdk-lib/aws-s3-deployment";
import { InfraConfigError } from "./infra-config-error.js";

/** The page's sources: the asset's fingerprinted folder. */
const consoleSources = fileURLToPath(new URL("../../shared/console", import.meta.url));
/** The script that builds the page into a folder. */
const buildScript = fileURLToPath(new URL("../build-console-page.ts", import.meta.url));

/**
 * The console's page (index.html, app.js, app.css) as a deployment source, built at synth by the console's own
 * esbuild build, in a child process (asset bundling is synchronous). When the app skips bundling (the tests, the
 * local stack), the CDK puts a placeholder in its place and nothing is built. A build that fails, or leaves no
 * `index.html`, fails the synth with its output.
 */
export function consolePageSource(): ISource {
  return Source.asset(consoleSources, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: the local build always answers. The CDK's bundling options require an image.
      image: DockerImage.fromRegistry("public.ecr.aws/docker/library/node:22-alpine"),
      local: {
        tryBundle(outputDir: string): boolean {
          const run = spawnSync(process.execPath, ["--import", "tsx", buildScript, outputDir], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
          });
          if (run.status !== 0 || !existsSync(join(outputDir, "index.html"))) {
            throw new InfraConfigError(
              `the console's page did not build (exit ${run.status}): ${run.stderr || run.stdout}`.trim(),
            );
          }
          return true;
        },
      },
    },
  });
}
