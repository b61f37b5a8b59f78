import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import {
  applicationPod,
  datasourceProbes,
  datasourceVerdict,
  jaegerSpanFound,
  lokiLineFound,
  Monitor,
  otlpExportResult,
  otlpSpanRequest,
  targetVerdict,
} from "./verdicts";

/**
 * The checks only real pods can pass, run by the e2e suite on kind (E2E_TARGET=kind, the GitHub
 * workflow .github/workflows/e2e.yml): Grafana reaches every datasource, Prometheus scrapes a
 * target of every monitor and all are up, and an application pod's log line and span arrive in
 * Loki and Jaeger. Each reaches the service through `kubectl port-forward` on 127.0.0.1, taking
 * the command from the stack's outputs; what each concludes comes from tools/e2e/verdicts.ts.
 */

/** Why these are skipped on the loopback cluster: kwok pods run no process. */
export const SKIP_REASON =
  "no container runs on the loopback test cluster (kwok marks pods Ready without starting them); runs on kind in .github/workflows/e2e.yml";

/** The image of the application pod: busybox has the shell and the `wget` that posts the span. */
export const APP_IMAGE = "busybox:1.36.1";

export function realPods(): boolean {
  return process.env["E2E_TARGET"] === "kind";
}

/** Runs kubectl; a failure throws with kubectl's own error output. */
export function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync("kubectl", args, {
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      ...(input !== undefined ? { input } : {}),
    });
  } catch (e) {
    const err = e as { stderr?: string; status?: number };
    throw new Error(`kubectl ${args.join(" ")} exited ${String(err.status)}: ${(err.stderr ?? "").trim()}`, {
      cause: e,
    });
  }
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
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`port-forward to ${ns}/${target} did not start within 30s: ${stderr.trim()}`));
    }, 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      const p = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (p !== null) {
        clearTimeout(timer);
        resolve(Number(p[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward to ${ns}/${target} exited with ${String(code)}: ${stderr.trim()}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => {
      child.kill();
    },
  };
}

/** What a wait found: its value, and how long it took. */
export interface Waited<T> {
  value: T;
  seconds: number;
}

/**
 * Polls `probe` until it reports done, or the deadline passes. Each attempt says where things
 * stand (`status`); the failure names what was waited for, for how long, and the last status.
 * Success prints what was waited for and how long it took.
 */
export async function waitFor<T>(
  what: string,
  deadlineSeconds: number,
  probe: () => Promise<{ done: true; value: T } | { done: false; status: string }>,
  intervalMs = 5000,
): Promise<Waited<T>> {
  const start = Date.now();
  let last: string;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const r = await probe();
      if (r.done) {
        const seconds = Math.round((Date.now() - start) / 100) / 10;
        console.log(`      waited ${seconds}s (${attempts} attempts) for ${what}`);
        return { value: r.value, seconds };
      }
      last = r.status;
    } catch (e) {
      last = e instanceof Error ? e.message : JSON.stringify(e);
    }
    if (Date.now() - start > deadlineSeconds * 1000)
      throw new Error(`${what}: not within ${deadlineSeconds}s (${attempts} attempts); last: ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the verdicts see the text.
  }
  return { status: res.status, body };
}

/**
 * Grafana's own checks report every datasource healthy (Grafana reaches each through the mesh and
 * the policies), and it lists every dashboard (its sidecar loaded them).
 */
export async function grafanaDatasourcesHealthy(
  portForwardCommand: string,
  password: string,
  uids: readonly string[],
  dashboards: readonly string[],
  deadlineSeconds: number,
): Promise<Waited<string[]>> {
  const pf = await portForward(portForwardCommand);
  try {
    const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` };
    return await waitFor(
      `Grafana's health checks of datasources ${uids.join(", ")} and its ${dashboards.length} dashboards`,
      deadlineSeconds,
      async () => {
        const list = await get(`${pf.base}/api/datasources`, auth);
        if (list.status !== 200) return { done: false, status: `GET /api/datasources: HTTP ${list.status}` };
        const { probes, problems } = datasourceProbes(list.body, uids);
        const search = await get(`${pf.base}/api/search?type=dash-db`, auth);
        const titles = new Set(
          Array.isArray(search.body) ? (search.body as { title?: string }[]).map((d) => d.title) : [],
        );
        const missing = dashboards.filter((t) => !titles.has(t));
        if (missing.length > 0) problems.push(`dashboards not listed yet: ${missing.join(", ")}`);
        const details: string[] = [];
        for (const probe of probes) {
          const r = await get(`${pf.base}${probe.path}`, auth);
          const v = datasourceVerdict(probe, r.status, r.body);
          details.push(v.detail);
          if (!v.healthy) problems.push(v.detail);
        }
        return problems.length === 0
          ? { done: true, value: details }
          : { done: false, status: problems.join("; ") };
      },
    );
  } finally {
    pf.close();
  }
}

/** Every ServiceMonitor and PodMonitor has a target, and every target is up. */
export async function everyMonitorScraped(
  portForwardCommand: string,
  monitors: readonly Monitor[],
  deadlineSeconds: number,
): Promise<Waited<{ targets: number; perMonitor: string[] }>> {
  const pf = await portForward(portForwardCommand);
  try {
    return await waitFor(
      `a target of each of ${monitors.length} monitors, and every target up`,
      deadlineSeconds,
      async () => {
        const r = await get(`${pf.base}/api/v1/targets?state=active`);
        if (r.status !== 200) return { done: false, status: `GET /api/v1/targets: HTTP ${r.status}` };
        const v = targetVerdict(monitors, r.body);
        return v.problems.length === 0
          ? { done: true, value: { targets: v.targets, perMonitor: v.perMonitor } }
          : { done: false, status: v.problems.join("; ") };
      },
    );
  } finally {
    pf.close();
  }
}

/** Where the application pod's signals go, from the stack's outputs. */
export interface SignalTargets {
  /** The `otlp` Service's HTTP endpoint, as applications are told to use it. */
  otlpHttp: string;
  /** Loki's gateway port-forward, and the tenant when Loki is multi-tenant. */
  loki: { portForward: string; tenant?: string };
  /** Jaeger's query port-forward. */
  jaeger: { portForward: string };
}

/**
 * An application pod in its own namespace writes a line and sends a span to the `otlp` Service,
 * as an application does; the line must reach Loki through the collector and the span Jaeger
 * through the Service and the tracing namespace's policies. The namespace goes afterwards.
 */
export async function applicationSignals(
  targets: SignalTargets,
  deadlineSeconds: number,
): Promise<{ export: Waited<string>; log: Waited<boolean>; span: Waited<boolean> }> {
  const ns = `e2e-app-${crypto.randomBytes(3).toString("hex")}`;
  const token = `e2e-${crypto.randomUUID()}`;
  const ids = {
    traceId: crypto.randomBytes(16).toString("hex"),
    spanId: crypto.randomBytes(8).toString("hex"),
  };
  const service = "e2e-app";
  kubectl(["create", "namespace", ns]);
  try {
    const pod = applicationPod({
      namespace: ns,
      image: APP_IMAGE,
      token,
      otlpHttp: targets.otlpHttp,
      span: otlpSpanRequest(ids, service, BigInt(Date.now()) * 1_000_000n),
    });
    kubectl(["apply", "-f", "-"], JSON.stringify(pod));
    const exported = await waitFor(
      `pod ${ns}/e2e-app to post its span to ${targets.otlpHttp}`,
      deadlineSeconds,
      () => {
        // Before the container starts, kubectl logs fails: that is a status, not the end.
        const log = kubectl(["-n", ns, "logs", "e2e-app"]);
        const result = otlpExportResult(log);
        if (result === "failed") throw new Error(`the pod could not post its span: ${log.trim()}`);
        return Promise.resolve(
          result === "ok"
            ? { done: true as const, value: log }
            : { done: false as const, status: `log: ${log.trim() || "(empty)"}` },
        );
      },
    ).catch((e: unknown) => {
      // The pod's own state says why it never ran (image pull, admission, scheduling).
      const state = kubectl(["-n", ns, "get", "pod", "e2e-app", "-o", "jsonpath={.status}"]);
      throw new Error(`${e instanceof Error ? e.message : String(e)}; pod status: ${state}`, { cause: e });
    });

    const loki = await portForward(targets.loki.portForward);
    let log: Waited<boolean>;
    try {
      const headers: Record<string, string> =
        targets.loki.tenant === undefined ? {} : { "X-Scope-OrgID": targets.loki.tenant };
      const query = encodeURIComponent(`{namespace="${ns}"} |= "${token}"`);
      log = await waitFor(`the pod's line ${token} in Loki`, deadlineSeconds, async () => {
        const r = await get(`${loki.base}/loki/api/v1/query_range?query=${query}&limit=10&since=1h`, headers);
        if (r.status !== 200)
          return { done: false, status: `HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}` };
        return lokiLineFound(r.body, ns, token)
          ? { done: true, value: true }
          : { done: false, status: "not yet" };
      });
    } finally {
      loki.close();
    }

    const jaeger = await portForward(targets.jaeger.portForward);
    try {
      const span = await waitFor(
        `the pod's span (trace ${ids.traceId}) in Jaeger`,
        deadlineSeconds,
        async () => {
          const r = await get(`${jaeger.base}/api/traces/${ids.traceId}`);
          return jaegerSpanFound(r.status, r.body, ids, service)
            ? { done: true, value: true }
            : { done: false, status: `HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}` };
        },
      );
      return { export: exported, log, span };
    } finally {
      jaeger.close();
    }
  } finally {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
  }
}
