/**
 * `npm test`: lint, types and the unit suite, in three lanes at once (two cores keep busy while
 * one lane waits on another's output). Each lane's output is printed whole when it ends, with its
 * seconds; the run fails when any step fails.
 *
 *   lint:   eslint (type-aware)
 *   style:  prettier --check, then dependency-cruiser's layer rules
 *   unit:   tsc (the build), then mocha's unit suite on it
 */
import { spawn } from "child_process";

interface Step {
  name: string;
  command: string;
  args: string[];
}

const LANES: Step[][] = [
  [{ name: "eslint", command: "eslint", args: ["."] }],
  [
    { name: "prettier", command: "prettier", args: ["--check", "."] },
    {
      name: "depcruise",
      command: "depcruise",
      args: ["components", "index.ts", "tools", "test", "--config", ".dependency-cruiser.cjs"],
    },
  ],
  [
    { name: "tsc", command: "npm", args: ["run", "--silent", "build"] },
    { name: "mocha", command: "mocha", args: [] },
  ],
];

interface Result {
  name: string;
  ok: boolean;
  seconds: number;
  output: string;
}

function runStep(step: Step): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    // Local binaries through npx's lookup: node_modules/.bin is on PATH under `npm test`.
    const child = spawn(step.command, step.args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    const append = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const done = (ok: boolean, extra = "") => {
      resolve({ name: step.name, ok, seconds: (Date.now() - started) / 1000, output: output + extra });
    };
    child.on("error", (err) => {
      done(false, `${step.command}: ${err.message}\n`);
    });
    child.on("close", (code) => {
      done(code === 0);
    });
  });
}

async function runLane(steps: readonly Step[]): Promise<Result[]> {
  const results: Result[] = [];
  for (const step of steps) {
    const r = await runStep(step);
    process.stdout.write(
      `\n── ${r.name} (${r.seconds.toFixed(1)} s, ${r.ok ? "ok" : "FAILED"})\n${r.output}`,
    );
    results.push(r);
    if (!r.ok) break;
  }
  return results;
}

async function main(): Promise<void> {
  const started = Date.now();
  const results = (await Promise.all(LANES.map(runLane))).flat();
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  const ran = new Set(results.map((r) => r.name));
  const skipped = LANES.flat()
    .map((s) => s.name)
    .filter((n) => !ran.has(n));
  const timing = results.map((r) => `${r.name} ${r.seconds.toFixed(1)}`).join(", ");
  console.log(`\nnpm test: ${((Date.now() - started) / 1000).toFixed(1)} s (${timing})`);
  if (failed.length > 0) {
    console.log(
      `failed: ${failed.join(", ")}${skipped.length > 0 ? `; not run after it: ${skipped.join(", ")}` : ""}`,
    );
    process.exitCode = 1;
  }
}

void main();
