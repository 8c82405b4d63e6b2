/**
 * `npm run bench:import [-- --orders=1000000 --naive=2000]`: the import benchmark on its own, a million orders by
 * default (the `bench` section runs 10,000).
 */
import { importBench } from "./import.bench.js";

const args = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z-]+)=(\d+)$/.exec(arg);
    return match?.[1] !== undefined && match[2] !== undefined ? [[match[1], Number(match[2])] as const] : [];
  }),
);

process.stdout.write(
  `${(await importBench(args.get("orders") ?? 1_000_000, args.get("naive") ?? 2000)).join("\n")}\n`,
);
process.exit(0);
