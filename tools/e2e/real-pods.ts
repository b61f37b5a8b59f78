import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";

/**
 * The checks only real pods can pass, run by the e2e suite on kind (E2E_TARGET=kind, the GitHub
 * workflow .github/workflows/e2e.yml): Grafana's API, Prometheus' targets, a log line through the
 * collector into Loki, a span through the OTLP endpoint into Jaeger. Each reaches the service
 * through `kubectl port-forward` on 127.0.0.1, taking the command from the stack's outputs.
 */

/** Why these are skipped on the loopback cluster: kwok pods run no process. */
export const SKIP_REASON =
  "no container runs on the loopback test cluster (kwok marks pods Ready without starting them); runs on kind in .github/workflows/e2e.yml";

export function realPods(): boolean {
  return process.env["E2E_TARGET"] === "kind";
}

/** A port-forward from a free port on 127.0.0.1 to a Service, from an output like `kubectl -n NS port-forward svc/NAME L:R`. */
export async function portForward(command: string): Promise<{ base: string; close: () => void }> {
  const m = /-n (\S+) port-forward (svc\/\S+) \d+:(\d+)/.exec(command);
  if (m === null) throw new Error(`not a port-forward command: ${command}`);
  const [, ns = "", target = "", remote = ""] = m;
  const child: ChildProcess = spawn(
    "kubectl",
    ["-n", ns, "port-forward", "--address", "127.0.0.1", target, `:${remote}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`port-forward to ${target} did not start`));
    }, 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      const p = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (p !== null) {
        clearTimeout(timer);
        resolve(Number(p[1]));
      }
    });
    child.on("exit", (code) => {
      reject(new Error(`port-forward to ${target} exited with ${String(code)}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => {
      child.kill();
    },
  };
}

/** Retries `fn` until it returns a value other than undefined, or the time is up. */
export async function eventually<T>(
  what: string,
  seconds: number,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last: string | undefined;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e instanceof Error ? e.message : JSON.stringify(e);
    }
    if (Date.now() > end)
      throw new Error(`${what}: not within ${seconds}s${last === undefined ? "" : `: ${last}`}`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}

/** Grafana lists the datasources and dashboards the program provisioned. */
export async function grafanaLists(
  portForwardCommand: string,
  password: string,
  datasources: string[],
  dashboards: string[],
): Promise<void> {
  const pf = await portForward(portForwardCommand);
  try {
    const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` };
    await eventually("Grafana lists every datasource and dashboard", 300, async () => {
      const ds = (await getJson(`${pf.base}/api/datasources`, auth)) as { uid: string }[];
      const db = (await getJson(`${pf.base}/api/search?type=dash-db`, auth)) as { title: string }[];
      const uids = new Set(ds.map((d) => d.uid));
      const titles = new Set(db.map((d) => d.title));
      return datasources.every((u) => uids.has(u)) && dashboards.every((t) => titles.has(t))
        ? true
        : undefined;
    });
  } finally {
    pf.close();
  }
}

/** Every Prometheus target is up. */
export async function prometheusTargetsUp(portForwardCommand: string): Promise<number> {
  const pf = await portForward(portForwardCommand);
  try {
    return await eventually("every Prometheus target up", 300, async () => {
      const body = (await getJson(`${pf.base}/api/v1/targets?state=active`)) as {
        data: { activeTargets: { health: string; scrapeUrl: string; lastError: string }[] };
      };
      const targets = body.data.activeTargets;
      const notUp = targets.filter((t) => t.health !== "up");
      if (notUp.length > 0)
        console.log(`        not up yet: ${notUp.map((t) => `${t.scrapeUrl} ${t.lastError}`).join("; ")}`);
      return targets.length > 0 && notUp.length === 0 ? targets.length : undefined;
    });
  } finally {
    pf.close();
  }
}

/** A pod logs a unique line; the collector ships it; Loki finds it. */
export async function logLineInLoki(portForwardCommand: string, tenant: string | undefined): Promise<string> {
  const token = `e2e-${crypto.randomUUID()}`;
  const ns = "e2e-log-check";
  execFileSync("kubectl", ["create", "namespace", ns], { stdio: "ignore" });
  try {
    execFileSync(
      "kubectl",
      [
        "-n",
        ns,
        "run",
        "logger",
        "--image=busybox:1.36",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        `echo ${token}; sleep 600`,
      ],
      { stdio: "ignore" },
    );
    const pf = await portForward(portForwardCommand);
    try {
      const headers: Record<string, string> = tenant === undefined ? {} : { "X-Scope-OrgID": tenant };
      const query = encodeURIComponent(`{namespace="${ns}"} |= "${token}"`);
      await eventually("the log line in Loki", 300, async () => {
        const body = (await getJson(
          `${pf.base}/loki/api/v1/query_range?query=${query}&limit=10`,
          headers,
        )) as {
          data: { result: unknown[] };
        };
        return body.data.result.length > 0 ? true : undefined;
      });
    } finally {
      pf.close();
    }
  } finally {
    execFileSync("kubectl", ["delete", "namespace", ns, "--wait=false"], { stdio: "ignore" });
  }
  return token;
}

/** A span sent to the OTLP HTTP endpoint is found in Jaeger. */
export async function spanInJaeger(otlpPortForward: string, jaegerPortForward: string): Promise<string> {
  const traceId = crypto.randomBytes(16).toString("hex");
  const spanId = crypto.randomBytes(8).toString("hex");
  const now = BigInt(Date.now()) * 1_000_000n;
  const otlp = await portForward(otlpPortForward);
  try {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "e2e-check" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: "e2e-span",
                  kind: 1,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${otlp.base}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`OTLP export: ${res.status}`);
  } finally {
    otlp.close();
  }
  const jaeger = await portForward(jaegerPortForward);
  try {
    await eventually("the span in Jaeger", 120, async () => {
      const t = (await getJson(`${jaeger.base}/api/traces/${traceId}`)) as { data?: unknown[] };
      return (t.data ?? []).length > 0 ? true : undefined;
    });
  } finally {
    jaeger.close();
  }
  return traceId;
}
