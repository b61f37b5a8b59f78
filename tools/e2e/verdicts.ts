/**
 * What the e2e suite's waits and real-pod checks conclude from the API responses they read: pure
 * functions of the parsed JSON, so test/tools/verdicts.test.ts proves with recorded responses what
 * makes each check pass and what makes it fail. tools/e2e/checks.ts and real-pods.ts fetch; these decide.
 */

/** A Kubernetes object as the API returns it (the fields these checks read). */
export interface ApiObject {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

function num(v: unknown, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

function objectsOf(v: unknown): ApiObject[] {
  const items = (v as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? (items as ApiObject[]) : [];
}

/** The workloads of some namespaces: the `items` of each apps/v1 list, as the API returns them. */
export interface WorkloadLists {
  deployments: unknown;
  statefulsets: unknown;
  daemonsets: unknown;
}

/**
 * Each Deployment, StatefulSet and DaemonSet that is not rolled out and Ready, with why: fewer
 * ready (or updated) replicas than asked for, or a spec the controller has not seen yet
 * (`observedGeneration` behind `generation`). A DaemonSet that schedules no pod is a problem too.
 */
export function workloadProblems(lists: WorkloadLists): string[] {
  const problems: string[] = [];
  const id = (kind: string, o: ApiObject) => `${kind} ${o.metadata.namespace ?? "?"}/${o.metadata.name}`;
  const unobserved = (o: ApiObject) =>
    o.metadata.generation !== undefined && num(o.status?.["observedGeneration"], 0) < o.metadata.generation;
  for (const [kind, list] of [
    ["Deployment", lists.deployments],
    ["StatefulSet", lists.statefulsets],
  ] as const) {
    for (const o of objectsOf(list)) {
      const want = num(o.spec?.["replicas"], 1);
      const ready = num(o.status?.["readyReplicas"], 0);
      const updated = num(o.status?.["updatedReplicas"], 0);
      if (unobserved(o)) problems.push(`${id(kind, o)}: its controller has not seen the latest spec yet`);
      else if (ready < want) problems.push(`${id(kind, o)}: ${ready}/${want} ready`);
      else if (updated < want) problems.push(`${id(kind, o)}: ${updated}/${want} updated`);
    }
  }
  for (const o of objectsOf(lists.daemonsets)) {
    const want = num(o.status?.["desiredNumberScheduled"], 0);
    const ready = num(o.status?.["numberReady"], 0);
    if (unobserved(o))
      problems.push(`${id("DaemonSet", o)}: its controller has not seen the latest spec yet`);
    else if (want === 0 || ready < want) problems.push(`${id("DaemonSet", o)}: ${ready}/${want} ready`);
  }
  return problems;
}

/**
 * The StatefulSets the Prometheus operator makes for each Prometheus (`prometheus-<name>`) and
 * Alertmanager (`alertmanager-<name>`) that are missing: until they exist, "every StatefulSet is
 * Ready" holds vacuously. The operator creates Alertmanager's only once the AlertmanagerConfig it
 * names exists, which the program declares last.
 */
export function missingOperatorWorkloads(
  prometheuses: unknown,
  alertmanagers: unknown,
  statefulsets: unknown,
): string[] {
  const have = new Set(
    objectsOf(statefulsets).map((s) => `${s.metadata.namespace ?? ""}/${s.metadata.name}`),
  );
  const missing: string[] = [];
  for (const [kind, prefix, list] of [
    ["Prometheus", "prometheus", prometheuses],
    ["Alertmanager", "alertmanager", alertmanagers],
  ] as const) {
    for (const cr of objectsOf(list)) {
      const ns = cr.metadata.namespace ?? "";
      const name = `${prefix}-${cr.metadata.name}`;
      if (!have.has(`${ns}/${name}`))
        missing.push(`StatefulSet ${ns}/${name} of ${kind} ${cr.metadata.name} does not exist yet`);
    }
  }
  return missing;
}

/** How the suite asks Grafana whether it reaches one datasource. */
export interface DatasourceProbe {
  uid: string;
  type: string;
  /** The path on Grafana's API. */
  path: string;
  /** `health`: the plugin's own check; `proxy`: a request through Grafana's datasource proxy. */
  via: "health" | "proxy";
}

/**
 * Datasource types whose plugin has no backend health check (Grafana answers its health API with
 * an error for them), each with the request its own "Save & test" sends through Grafana's proxy.
 */
const PROXY_CHECKS: Readonly<Record<string, string>> = { alertmanager: "api/v2/status" };

/**
 * One probe per expected datasource uid from Grafana's `/api/datasources` list; problems name the
 * expected uids Grafana does not list (not provisioned yet, or never).
 */
export function datasourceProbes(
  list: unknown,
  expected: readonly string[],
): { probes: DatasourceProbe[]; problems: string[] } {
  const listed = Array.isArray(list) ? (list as { uid?: unknown; type?: unknown }[]) : [];
  const byUid = new Map(listed.map((d) => [String(d.uid), String(d.type)]));
  const probes: DatasourceProbe[] = [];
  const problems: string[] = [];
  for (const uid of expected) {
    const type = byUid.get(uid);
    if (type === undefined) {
      problems.push(
        `datasource ${uid}: Grafana does not list it (it lists ${[...byUid.keys()].join(", ") || "none"})`,
      );
      continue;
    }
    const proxy = PROXY_CHECKS[type];
    probes.push(
      proxy !== undefined
        ? { uid, type, path: `/api/datasources/proxy/uid/${uid}/${proxy}`, via: "proxy" }
        : { uid, type, path: `/api/datasources/uid/${uid}/health`, via: "health" },
    );
  }
  return { probes, problems };
}

/**
 * Whether Grafana reached the datasource: its health API answers 200 with status OK (it answers
 * 400 with status ERROR and the plugin's message when the check fails); through the proxy,
 * Alertmanager's status with its version.
 */
export function datasourceVerdict(
  probe: DatasourceProbe,
  httpStatus: number,
  body: unknown,
): { healthy: boolean; detail: string } {
  const b = (body ?? {}) as { status?: unknown; message?: unknown; versionInfo?: { version?: unknown } };
  if (probe.via === "health") {
    const message = typeof b.message === "string" ? b.message : JSON.stringify(body);
    const healthy = httpStatus === 200 && b.status === "OK";
    return {
      healthy,
      detail: `${probe.type} ${probe.uid}: HTTP ${httpStatus}, ${String(b.status)}: ${message}`,
    };
  }
  const version = b.versionInfo?.version;
  const healthy = httpStatus === 200 && typeof version === "string";
  const found =
    typeof version === "string" ? `, version ${version}` : `: ${JSON.stringify(body).slice(0, 200)}`;
  return {
    healthy,
    detail: `${probe.type} ${probe.uid} through Grafana's proxy: HTTP ${httpStatus}${found}`,
  };
}

/** A ServiceMonitor or PodMonitor, by the scrape pool prefix the operator gives its endpoints. */
export interface Monitor {
  kind: "ServiceMonitor" | "PodMonitor";
  namespace: string;
  name: string;
  /** The namespaces its namespaceSelector names (`matchNames`), when it names any. */
  selects?: string[];
}

/** The monitors among ServiceMonitor and PodMonitor lists (`items`) as the API returns them. */
export function monitorsOf(serviceMonitors: unknown, podMonitors: unknown): Monitor[] {
  const of = (kind: Monitor["kind"], list: unknown): Monitor[] =>
    objectsOf(list).map((o) => {
      const names = (o.spec?.["namespaceSelector"] as { matchNames?: unknown } | undefined)?.matchNames;
      const selects = Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
      return {
        kind,
        namespace: o.metadata.namespace ?? "",
        name: o.metadata.name,
        ...(selects.length > 0 ? { selects } : {}),
      };
    });
  return [...of("ServiceMonitor", serviceMonitors), ...of("PodMonitor", podMonitors)];
}

/**
 * The monitors that can have targets in this cluster, and those that cannot: a monitor whose
 * namespaceSelector names only namespaces that do not exist (a scrape target of an application
 * that is not deployed, like the example shop's) has no target by design.
 */
export function monitorsWithTargets(
  monitors: readonly Monitor[],
  existingNamespaces: ReadonlySet<string>,
): { scraped: Monitor[]; noApplication: Monitor[] } {
  const absent = (m: Monitor) =>
    m.selects !== undefined && m.selects.length > 0 && m.selects.every((n) => !existingNamespaces.has(n));
  return { scraped: monitors.filter((m) => !absent(m)), noApplication: monitors.filter(absent) };
}

/** The operator names each endpoint's scrape pool `serviceMonitor/<ns>/<name>/<index>` (podMonitor/… likewise). */
function poolPrefix(m: Monitor): string {
  return `${m.kind === "ServiceMonitor" ? "serviceMonitor" : "podMonitor"}/${m.namespace}/${m.name}/`;
}

/**
 * From Prometheus's `/api/v1/targets?state=active`: each monitor's targets, and the problems: a
 * monitor with no target (its selector matches nothing, or relabelling drops everything), and
 * every active target that is not up, with Prometheus's last error.
 */
export function targetVerdict(
  monitors: readonly Monitor[],
  body: unknown,
): { targets: number; perMonitor: string[]; problems: string[] } {
  const data = (body as { status?: unknown; data?: { activeTargets?: unknown } } | null)?.data;
  const active = Array.isArray(data?.activeTargets)
    ? (data.activeTargets as {
        scrapePool?: string;
        scrapeUrl?: string;
        health?: string;
        lastError?: string;
      }[])
    : [];
  const problems: string[] = [];
  const perMonitor: string[] = [];
  for (const m of monitors) {
    const mine = active.filter((t) => (t.scrapePool ?? "").startsWith(poolPrefix(m)));
    const up = mine.filter((t) => t.health === "up").length;
    perMonitor.push(`${m.kind} ${m.namespace}/${m.name}: ${up}/${mine.length} up`);
    if (mine.length === 0) problems.push(`${m.kind} ${m.namespace}/${m.name}: no target`);
  }
  for (const t of active) {
    if (t.health !== "up") {
      problems.push(
        `${t.scrapePool ?? "?"} ${t.scrapeUrl ?? "?"}: ${t.health ?? "no health"}${t.lastError ? ` (${t.lastError})` : ""}`,
      );
    }
  }
  if (active.length === 0) problems.push("Prometheus has no active target");
  return { targets: active.length, perMonitor, problems };
}

/**
 * Whether Loki's `query_range` answer holds the line: a stream labelled with the pod's namespace
 * (the collector's label) whose values include the token.
 */
export function lokiLineFound(body: unknown, namespace: string, token: string): boolean {
  const result = (body as { data?: { result?: unknown } } | null)?.data?.result;
  if (!Array.isArray(result)) return false;
  return (result as { stream?: Record<string, string>; values?: [string, string][] }[]).some(
    (s) => s.stream?.["namespace"] === namespace && (s.values ?? []).some(([, line]) => line.includes(token)),
  );
}

/** Jaeger writes trace ids as hex without leading zeros; compare them so. */
function normalTraceId(id: string): string {
  return id.toLowerCase().replace(/^0+/, "");
}

/**
 * Whether Jaeger's `/api/traces/<id>` answer holds the span: the trace with that id, holding the
 * span id, from a process whose service is `service`. Jaeger answers 404 with an error while the
 * trace is not stored yet.
 */
export function jaegerSpanFound(
  httpStatus: number,
  body: unknown,
  ids: { traceId: string; spanId: string },
  service: string,
): boolean {
  if (httpStatus !== 200) return false;
  const traces = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(traces)) return false;
  return (
    traces as {
      traceID?: string;
      spans?: { spanID?: string; processID?: string }[];
      processes?: Record<string, { serviceName?: string }>;
    }[]
  ).some(
    (t) =>
      normalTraceId(t.traceID ?? "") === normalTraceId(ids.traceId) &&
      (t.spans ?? []).some(
        (s) =>
          normalTraceId(s.spanID ?? "") === normalTraceId(ids.spanId) &&
          t.processes?.[s.processID ?? ""]?.serviceName === service,
      ),
  );
}

/** The OTLP/JSON export request of one span, as an application's SDK sends it. */
export function otlpSpanRequest(
  ids: { traceId: string; spanId: string },
  service: string,
  nowNanos: bigint,
): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: "observability-stack-e2e" },
            spans: [
              {
                traceId: ids.traceId,
                spanId: ids.spanId,
                name: "e2e-span",
                kind: 2,
                startTimeUnixNano: String(nowNanos),
                endTimeUnixNano: String(nowNanos + 1_000_000n),
              },
            ],
          },
        ],
      },
    ],
  };
}

/**
 * The application pod of the real-pod checks: in its own namespace, it writes the token to its
 * log (for the collector and Loki) and posts the span to the `otlp` Service's HTTP endpoint (for
 * Jaeger, through the tracing namespace's NetworkPolicies), then reports the HTTP status on its log.
 * Restricted Pod Security, sized, and it ends by itself.
 */
export function applicationPod(args: {
  namespace: string;
  image: string;
  token: string;
  otlpHttp: string;
  span: Record<string, unknown>;
}): Record<string, unknown> {
  const url = `${args.otlpHttp.replace(/\/$/, "")}/v1/traces`;
  const script = [
    `echo "$TOKEN"`,
    `if wget -q -O- -T 10 --header 'Content-Type: application/json' --post-data "$SPAN" "$URL" >/dev/null; then echo "otlp-export: ok"; else echo "otlp-export: failed $?"; fi`,
    // Long enough for the collector to read the log and for the checks to find both.
    "sleep 600",
  ].join("\n");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "e2e-app", namespace: args.namespace, labels: { app: "e2e-app" } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "app",
          image: args.image,
          command: ["sh", "-c", script],
          env: [
            { name: "TOKEN", value: args.token },
            { name: "URL", value: url },
            { name: "SPAN", value: JSON.stringify(args.span) },
          ],
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  };
}

/** What the application pod reported about its OTLP export, from its log; undefined while it has not. */
export function otlpExportResult(log: string): "ok" | "failed" | undefined {
  const m = /^otlp-export: (ok|failed)/m.exec(log);
  return m === null ? undefined : (m[1] as "ok" | "failed");
}

/** What the signals part should have shipped, read from the stack's config and the files on disk. */
export interface SignalsExpected {
  /** Each `*.rules.yaml` below signals.directory, with its alert and record names in file order. */
  ruleFiles: { file: string; names: string[] }[];
  /** signals.slos names. */
  slos: string[];
  /** Each dashboard file's uid and Grafana folder (`dashboards/<folder>/<name>.json`). */
  dashboardFiles: { file: string; uid: string; folder: string }[];
  /** signals.scrapeTargets: the monitor kind and the application namespace it selects. */
  scrapeTargets: { name: string; namespace: string; kind: "ServiceMonitor" | "PodMonitor" }[];
}

/** The stack output `signals`: what the program says it shipped, by name. */
export interface SignalsOutput {
  dashboards: { uid: string; title: string; folder: string }[];
  rules: string[];
  /** `<kind>/<name>`. */
  monitors: string[];
}

/** The monitoring namespace's objects as the API returns them: `items` of each list. */
export interface SignalsLive {
  prometheusRules: unknown;
  serviceMonitors: unknown;
  podMonitors: unknown;
  /** ConfigMaps labelled for Grafana's dashboard sidecar. */
  dashboardConfigMaps: unknown;
}

type LiveRule = { alert?: string; record?: string; labels?: Record<string, string> };

function ruleNames(o: ApiObject): LiveRule[] {
  const groups = (o.spec?.["groups"] ?? []) as { rules?: LiveRule[] }[];
  return groups.flatMap((g) => g.rules ?? []);
}

/**
 * Whether the signals part's objects are in the cluster as the config and files ask: as many
 * PrometheusRules as SLOs and rule files, each rule file's alerts and records in one of them, each
 * SLO's records and alerts (labelled `slo`), a monitor of the right kind per scrape target that
 * selects its namespace, and every dashboard (files and the error-budget one) in a ConfigMap the
 * sidecar loads into its folder. Returns the problems; none means it holds.
 */
export function signalsProblems(
  expected: SignalsExpected,
  output: SignalsOutput,
  live: SignalsLive,
): string[] {
  const problems: string[] = [];
  const rules = objectsOf(live.prometheusRules);
  const ruleByName = new Map(rules.map((r) => [r.metadata.name, r]));
  const wantRules = expected.slos.length + expected.ruleFiles.length;
  if (output.rules.length !== wantRules)
    problems.push(
      `the program reports ${output.rules.length} PrometheusRules; ${expected.slos.length} SLOs and ${expected.ruleFiles.length} rule files make ${wantRules}`,
    );
  const shipped = output.rules.flatMap((n) => {
    const r = ruleByName.get(n);
    if (r === undefined) problems.push(`PrometheusRule ${n} is not in the cluster`);
    return r !== undefined ? [r] : [];
  });
  for (const f of expected.ruleFiles) {
    const want = [...f.names].sort().join(",");
    const found = shipped.some(
      (r) =>
        ruleNames(r)
          .map((x) => x.alert ?? x.record ?? "")
          .sort()
          .join(",") === want,
    );
    if (!found)
      problems.push(`${f.file}: no PrometheusRule in the cluster holds its rules (${f.names.join(", ")})`);
  }
  for (const slo of expected.slos) {
    const mine = shipped.flatMap(ruleNames).filter((x) => x.labels?.["slo"] === slo);
    const alerts = mine.filter((x) => x.alert !== undefined).length;
    const records = mine.filter((x) => x.record !== undefined).length;
    if (alerts === 0 || records === 0)
      problems.push(
        `SLO ${slo}: ${records} recording rules and ${alerts} alerts labelled slo=${slo} in the cluster`,
      );
  }

  const monitors = [
    ...objectsOf(live.serviceMonitors).map((o) => ({ kind: "ServiceMonitor", o })),
    ...objectsOf(live.podMonitors).map((o) => ({ kind: "PodMonitor", o })),
  ];
  if (output.monitors.length !== expected.scrapeTargets.length)
    problems.push(
      `the program reports ${output.monitors.length} monitors for ${expected.scrapeTargets.length} scrape targets`,
    );
  for (const t of expected.scrapeTargets) {
    const selects = (o: ApiObject) => {
      const names = (o.spec?.["namespaceSelector"] as { matchNames?: string[] } | undefined)?.matchNames;
      return Array.isArray(names) && names.includes(t.namespace);
    };
    const m = monitors.find(
      (x) => x.kind === t.kind && output.monitors.includes(`${x.kind}/${x.o.metadata.name}`) && selects(x.o),
    );
    if (m === undefined)
      problems.push(`scrape target ${t.name}: no ${t.kind} in the cluster selects namespace ${t.namespace}`);
  }

  const maps = objectsOf(live.dashboardConfigMaps).map((o) => {
    const data = (o as { data?: Record<string, string> }).data ?? {};
    const uids = Object.values(data).map((json) => {
      try {
        return (JSON.parse(json) as { uid?: unknown }).uid;
      } catch {
        return undefined;
      }
    });
    const folder = (o.metadata as { annotations?: Record<string, string> }).annotations?.["grafana_folder"];
    return { name: o.metadata.name, uids, folder };
  });
  const wantDashboards = expected.dashboardFiles.length + (expected.slos.length > 0 ? 1 : 0);
  if (output.dashboards.length !== wantDashboards)
    problems.push(
      `the program reports ${output.dashboards.length} dashboards; ${expected.dashboardFiles.length} files${expected.slos.length > 0 ? " and the error-budget dashboard" : ""} make ${wantDashboards}`,
    );
  for (const f of expected.dashboardFiles) {
    if (!output.dashboards.some((d) => d.uid === f.uid && d.folder === f.folder))
      problems.push(`${f.file}: the program does not report dashboard ${f.uid} in folder ${f.folder}`);
  }
  for (const d of output.dashboards) {
    const cm = maps.find((m) => m.uids.includes(d.uid));
    if (cm === undefined) problems.push(`dashboard ${d.uid}: no labelled ConfigMap in the cluster holds it`);
    else if (cm.folder !== d.folder)
      problems.push(
        `dashboard ${d.uid}: ConfigMap ${cm.name} is in folder ${cm.folder ?? "(none)"}, not ${d.folder}`,
      );
  }
  return problems;
}
