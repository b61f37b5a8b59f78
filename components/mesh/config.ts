import {
  isTrue,
  Fields,
  Infer,
  KeyDeclaration,
  MAX_REPLICAS,
  readFields,
  serviceHost,
  STACK_NAMESPACE_NAMES,
  Section,
  patterns,
  setCommand,
} from "../kit";

/** Mesh-wide mTLS modes: STRICT accepts only mTLS; PERMISSIVE accepts plaintext as well. */
export const MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];
/** What a namespace listed as an exception accepts instead of STRICT. */
export const MTLS_EXCEPTION_MODES = ["PERMISSIVE", "DISABLE"] as const;
export type MtlsExceptionMode = (typeof MTLS_EXCEPTION_MODES)[number];
export const GATEWAY_SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type GatewayServiceType = (typeof GATEWAY_SERVICE_TYPES)[number];

/** Namespaces of Kubernetes and of Istio itself: no mesh policy of this program belongs there. */
export const SYSTEM_NAMESPACES = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  STACK_NAMESPACE_NAMES.istioSystem,
  STACK_NAMESPACE_NAMES.istioIngress,
] as const;
/**
 * The stack's own namespaces. Their workloads are meshed one by one where that is safe (Prometheus
 * borrows a certificate, Grafana behind the gateway gets a sidecar); a namespace-wide injection
 * label would also mesh the operator's admission webhook and the exporters.
 */
export const STACK_NAMESPACES = [
  STACK_NAMESPACE_NAMES.monitoring,
  STACK_NAMESPACE_NAMES.logging,
  STACK_NAMESPACE_NAMES.tracing,
  STACK_NAMESPACE_NAMES.elasticSystem,
  STACK_NAMESPACE_NAMES.search,
] as const;

/**
 * The stack's one OTLP/gRPC endpoint (the tracing part's `otlp` Service, in front of the
 * collector gateway or Jaeger), so the mesh sends spans where applications do.
 */
// The tracing part's OTLP Service is `otlp`, gRPC on 4317.
export const DEFAULT_TRACING_ENDPOINT = `${serviceHost("otlp", STACK_NAMESPACE_NAMES.tracing)}:4317`;

/** A namespace that accepts plaintext although the mesh is STRICT, and why. */
export interface MtlsException {
  namespace: string;
  /** PERMISSIVE (mTLS and plaintext) or DISABLE (plaintext only). Defaults to PERMISSIVE. */
  mode: MtlsExceptionMode;
  /** Why the namespace needs plaintext; kept on the policy as an annotation. */
  reason: string;
}

/** One canary release of an application: header-matched requests and a share of the rest go to the new version. */
export interface CanaryConfig {
  /** Name of the VirtualService and DestinationRule. */
  name: string;
  /** The application's namespace. */
  namespace: string;
  /** The service the route applies to. Defaults to the name. */
  host: string;
  /** The pod label that tells versions apart. Defaults to `version`. */
  versionLabel: string;
  /** The running version's label value (and subset name). Defaults to `v1`. */
  stable: string;
  /** The new version's label value (and subset name). Defaults to `v2`. */
  canary: string;
  /** Requests whose headers all match exactly go to the canary. Defaults to none. */
  match?: { headers: Record<string, string> };
  /** How the remaining requests split, in percent adding up to 100. Defaults to all to stable. */
  weights?: { stable: number; canary: number };
}

const NAMESPACE = {
  re: patterns.K8S_NAME,
  what: "a namespace name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit)",
  example: "shop",
};
const NAME = {
  re: patterns.K8S_NAME,
  what: "a Kubernetes name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit)",
  example: "reviews",
};
const HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const SERVICE_HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENDPOINT =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// Istio matches header names in lowercase only.
const HEADER_NAME = /^[a-z0-9][-a-z0-9_]*$/;

export const MESH_FIELDS = {
  enabled: { kind: "boolean", default: true, description: "Install Istio." },
  istiod: {
    kind: "group",
    description: "The control plane.",
    fields: {
      replicas: {
        kind: "integer",
        default: 1,
        min: 1,
        max: MAX_REPLICAS,
        description: "istiod replicas (an autoscaler stays off).",
      },
    },
  },
  gateway: {
    kind: "group",
    description: "The ingress gateway (namespace istio-ingress).",
    fields: {
      enabled: { kind: "boolean", default: true, description: "Install the ingress gateway." },
      replicas: {
        kind: "integer",
        default: 1,
        min: 1,
        max: MAX_REPLICAS,
        description: "Gateway replicas.",
      },
      serviceType: {
        kind: "enum",
        values: GATEWAY_SERVICE_TYPES,
        default: "LoadBalancer",
        defaultOnKind: "ClusterIP",
        description:
          "The gateway's Service type; not LoadBalancer on kind, where nothing assigns an external IP.",
      },
    },
  },
  injectNamespaces: {
    kind: "strings",
    format: NAMESPACE,
    default: [],
    description:
      "Application namespaces (they must exist) labelled istio-injection=enabled; the stack's own and Kubernetes' and Istio's namespaces are refused.",
  },
  mtls: {
    kind: "group",
    description: "Mutual TLS between meshed workloads (PeerAuthentications).",
    fields: {
      mode: {
        kind: "enum",
        values: MTLS_MODES,
        default: "PERMISSIVE",
        description: "The mesh-wide mode: STRICT accepts only mTLS, PERMISSIVE plaintext as well.",
      },
      strictNamespaces: {
        kind: "strings",
        format: NAMESPACE,
        default: [],
        description: "Namespaces that are STRICT whatever the mesh-wide mode.",
      },
      exceptions: {
        kind: "custom",
        type: "list of {namespace, mode, reason}",
        defaultText: "none",
        description:
          "Namespaces that accept plaintext although the mesh is STRICT, each with namespace (required), mode PERMISSIVE | DISABLE (default PERMISSIVE) and reason (required, kept on the policy).",
      },
    },
  },
  authorization: {
    kind: "group",
    description: "Authorization policies.",
    fields: {
      defaultDenyNamespaces: {
        kind: "strings",
        format: NAMESPACE,
        default: [],
        description:
          "Namespaces where meshed workloads take only requests a policy allows (the stack adds: Prometheus may scrape with GET).",
      },
    },
  },
  grafanaGateway: {
    kind: "group",
    description: "Grafana served through the ingress gateway.",
    fields: {
      enabled: {
        kind: "custom",
        type: "boolean",
        defaultText:
          "true on kind with the gateway and Grafana; false on cloud, where the gateway's LoadBalancer is public",
        description:
          "Serve Grafana through the gateway (Grafana gets a sidecar and takes requests from the gateway and Prometheus only).",
      },
      hosts: {
        kind: "strings",
        format: { re: HOST, what: "a host name such as grafana.example.com or *", example: "*" },
        default: ["*"],
        description: "Host names to serve Grafana on (at least one).",
      },
    },
  },
  accessLogs: {
    kind: "boolean",
    default: false,
    defaultOnKind: true,
    description: "Envoy access logs of every sidecar and gateway, on stdout.",
  },
  tracing: {
    kind: "group",
    description: "Spans of every sidecar and gateway (Telemetry API).",
    fields: {
      endpoint: {
        kind: "string",
        format: {
          re: ENDPOINT,
          what: "an OTLP/gRPC endpoint as host:port",
          example: DEFAULT_TRACING_ENDPOINT,
        },
        default: DEFAULT_TRACING_ENDPOINT,
        description: "The collector's OTLP/gRPC host:port (the tracing part's endpoint).",
      },
      enabled: {
        kind: "custom",
        type: "boolean",
        defaultText: "tracing.enabled",
        description: "Send spans to the OTLP endpoint.",
      },
      samplingPercentage: {
        kind: "number",
        default: 1,
        defaultOnKind: 100,
        min: 0,
        max: 100,
        what: "a percentage from 0 to 100",
        description: "Percentage of requests traced.",
      },
    },
  },
  canaries: {
    kind: "custom",
    type: "list of {name, namespace, host, versionLabel, stable, canary, match.headers, weights}",
    defaultText: "none",
    description:
      "Canary routes, each with name and namespace (required); host (default: the name); versionLabel (default version); stable (default v1); canary (default v2); match.headers: exact header values sent to the canary; weights.stable and weights.canary: the split of all other requests, adding up to 100. A canary needs a match or a canary weight.",
  },
} as const satisfies Fields;

type ReadMesh = Infer<typeof MESH_FIELDS>;

export type MtlsConfig = ReadMesh["mtls"] & {
  /** Namespaces that accept plaintext. Defaults to none. */
  exceptions: MtlsException[];
};

export type MeshTracingConfig = ReadMesh["tracing"] & {
  /** Send sidecar spans to the OTLP endpoint. Defaults to tracing.enabled. */
  enabled: boolean;
  /** The endpoint's host, the OTLP/gRPC collector's service. */
  service: string;
  /** The endpoint's port. */
  port: number;
};

export type MeshConfig = Omit<ReadMesh, "mtls" | "grafanaGateway" | "tracing"> & {
  mtls: MtlsConfig;
  grafanaGateway: ReadMesh["grafanaGateway"] & {
    /** Serve Grafana through the ingress gateway, over mTLS to a Grafana sidecar. */
    enabled: boolean;
  };
  tracing: MeshTracingConfig;
  /** Canary routes. Defaults to none. */
  canaries: CanaryConfig[];
};

function requiredName(s: Section, key: string, pattern: typeof NAME): string | undefined {
  if (!s.has(key)) return s.requiredString(key, pattern.example);
  return s.optionalString(key, pattern);
}

/** Namespace lists must stay out of namespaces the mesh or Kubernetes run on. */
function rejectReserved(
  s: Section,
  key: string,
  names: readonly string[],
  reserved: readonly string[],
  why: string,
) {
  names.forEach((ns, i) => {
    if (reserved.includes(ns)) s.problem(`${key}[${i}]`, `is "${ns}", ${why}`, "remove it");
  });
}

const SYSTEM_WHY =
  "a namespace of Kubernetes or Istio itself, where this policy would change the mesh's own traffic";

/** `mtls.exceptions`: each namespace once, neither a system namespace nor a STRICT one. */
function readExceptions(t: Section, key: string, strictNamespaces: readonly string[]): MtlsException[] {
  const exceptions: MtlsException[] = [];
  t.items(key).forEach((e, i) => {
    const namespace = requiredName(e, "namespace", NAMESPACE);
    const exceptionMode = e.oneOf("mode", MTLS_EXCEPTION_MODES, "PERMISSIVE") ?? "PERMISSIVE";
    const reason = e.requiredString("reason", '"legacy clients without sidecars"');
    e.done();
    if (namespace === undefined || reason === undefined) return;
    const at = `${key}[${i}].namespace`;
    if ((SYSTEM_NAMESPACES as readonly string[]).includes(namespace)) {
      t.problem(at, `is "${namespace}", ${SYSTEM_WHY}`, "remove it");
    } else if (strictNamespaces.includes(namespace)) {
      t.problem(
        at,
        `"${namespace}" is also in ${t.join("strictNamespaces")}, and a namespace cannot be both STRICT and an exception`,
        "remove it from one of the two lists",
      );
    } else if (exceptions.some((x) => x.namespace === namespace)) {
      t.problem(at, `"${namespace}" already has an exception`, "list each namespace once");
    } else {
      exceptions.push({ namespace, mode: exceptionMode, reason });
    }
  });
  return exceptions;
}

/** One canary route, or undefined when any of its fields has a problem (already reported). */
function readCanary(c: Section): CanaryConfig | undefined {
  let ok = true;
  const name = requiredName(c, "name", NAME);
  const namespace = requiredName(c, "namespace", NAMESPACE);
  const host = c.optionalString("host", {
    re: SERVICE_HOST,
    what: "a service host name",
    example: "reviews",
  });
  const versionLabel = c.optionalString("versionLabel", {
    re: LABEL_KEY,
    what: "a label key",
    example: "version",
  });
  const stableSet = c.optionalString("stable", { ...NAME, example: "v1" });
  const canarySet = c.optionalString("canary", { ...NAME, example: "v2" });
  const stable = stableSet ?? "v1";
  const canary = canarySet ?? "v2";
  if (stable === canary) {
    c.problem(
      "canary",
      `is "${canary}", the same version as ${c.join("stable")}`,
      `set the new version's label value, e.g. \`${setCommand(c.join("canary"), "v2")}\``,
    );
  }

  let headers: Record<string, string> | undefined;
  if (c.has("match")) {
    const m = c.child("match");
    const h = m.child("headers");
    headers = {};
    for (const header of h.keys()) {
      const value = h.optionalString(header, { re: /./, what: "a header value", example: "test-user" });
      if (!HEADER_NAME.test(header)) {
        h.problem(
          header,
          "is not a lowercase HTTP header name",
          "write header names in lowercase, e.g. end-user",
        );
      } else if (value !== undefined) {
        headers[header] = value;
      }
      if (value === undefined || !HEADER_NAME.test(header)) ok = false;
    }
    m.done();
    if (ok && Object.keys(headers).length === 0) {
      m.problem(
        "headers",
        "names no header to match",
        `set one, e.g. \`${setCommand(`${m.join("headers")}.end-user`, "test-user")}\``,
      );
      ok = false;
    }
  } else {
    c.raw("match");
  }

  let weights: { stable: number; canary: number } | undefined;
  if (c.has("weights")) {
    const w = c.child("weights");
    const read = (key: "stable" | "canary", example: number): number | undefined => {
      if (!w.has(key)) {
        w.raw(key);
        w.problem(
          key,
          "is required when weights are set",
          `set both weights so they add up to 100, e.g. \`${setCommand(w.join(key), String(example))}\``,
        );
        return undefined;
      }
      const n = w.int(key, example, 0, 100);
      // The reader returns the example in place of a value it reported as wrong.
      return n === Number(w.raw(key)) ? n : undefined;
    };
    const s = read("stable", 90);
    const k = read("canary", 10);
    w.done();
    if (s === undefined || k === undefined) {
      ok = false;
    } else {
      if (s + k !== 100) {
        ok = false;
        c.problem(
          "weights",
          `stable ${s} and canary ${k} add up to ${s + k}, not 100`,
          `set them to add up to 100, e.g. \`${setCommand(w.join("canary"), String(Math.max(0, 100 - s)))}\``,
        );
      } else {
        weights = { stable: s, canary: k };
      }
    }
  } else {
    c.raw("weights");
  }
  c.done();

  const invalid = (key: string, value: string | undefined) => c.has(key) && value === undefined;
  if (
    !ok ||
    name === undefined ||
    namespace === undefined ||
    stable === canary ||
    invalid("host", host) ||
    invalid("versionLabel", versionLabel) ||
    invalid("stable", stableSet) ||
    invalid("canary", canarySet)
  ) {
    return undefined;
  }
  return {
    name,
    namespace,
    host: host ?? name,
    versionLabel: versionLabel ?? "version",
    stable,
    canary,
    ...(headers !== undefined ? { match: { headers } } : {}),
    ...(weights !== undefined ? { weights } : {}),
  };
}

/** `canaries`: each route once per namespace and name, and reachable by a match or a weight. */
function readCanaries(m: Section, key: string, canaries: CanaryConfig[]): void {
  const canaryIndex: number[] = [];
  m.items(key).forEach((c, index) => {
    const canary = readCanary(c);
    if (canary === undefined) return;
    if (canary.match === undefined && (canary.weights === undefined || canary.weights.canary === 0)) {
      m.problem(
        `${key}[${index}]`,
        `has neither a header match nor a canary weight, so no request would reach version "${canary.canary}"`,
        `set a match (\`${setCommand(c.join("match.headers.end-user"), "test-user")}\`) or weights (\`${setCommand(c.join("weights.stable"), "90")}\` and \`${setCommand(c.join("weights.canary"), "10")}\`)`,
      );
      return;
    }
    if (([...SYSTEM_NAMESPACES, ...STACK_NAMESPACES] as readonly string[]).includes(canary.namespace)) {
      m.problem(
        `${key}[${index}].namespace`,
        `is "${canary.namespace}", a namespace of Kubernetes, Istio or the stack itself, not an application's`,
        `set the application's namespace, e.g. \`${setCommand(c.join("namespace"), "shop")}\``,
      );
      return;
    }
    const first = canaries.findIndex((x) => x.namespace === canary.namespace && x.name === canary.name);
    if (first >= 0) {
      m.problem(
        `${key}[${index}].name`,
        `"${canary.name}" in namespace "${canary.namespace}" repeats ${m.join(`${key}[${canaryIndex[first] ?? first}]`)}`,
        "give each canary route its own name",
      );
      return;
    }
    // Two VirtualServices for one host in one namespace: Istio merges neither and applies one.
    const sameHost = canaries.findIndex((x) => x.namespace === canary.namespace && x.host === canary.host);
    if (sameHost >= 0) {
      m.problem(
        `${key}[${index}].host`,
        `"${canary.host}" in namespace "${canary.namespace}" is already routed by ${m.join(`${key}[${canaryIndex[sameHost] ?? sameHost}]`)}, and Istio applies only one of two VirtualServices for a host`,
        "route each host once: put both rules in one canary route, or remove one",
      );
      return;
    }
    canaries.push(canary);
    canaryIndex.push(index);
  });
}

/** Context from other keys that the mesh's defaults and cross-key rules need. */
export interface MeshContext {
  /** `cluster.type`, when it is valid. */
  clusterType?: "kind" | "cloud";
  /** `grafana.enabled` after its default. */
  grafanaEnabled: boolean;
  /** The tracing part runs, so mesh tracing is on by default. Defaults to false. */
  tracingEnabled?: boolean;
}

/**
 * Reads the `mesh` key as MESH_FIELDS declares it: Istio, its policies, telemetry and canary
 * routes. mTLS exceptions and canaries have their own readers, and so do the two switches whose
 * default comes from other keys.
 */
export function readMesh(m: Section, ctx: MeshContext): MeshConfig {
  const kind = ctx.clusterType === "kind";
  let gatewayEnabled = true;
  let strictNamespaces: readonly string[] = [];
  let exceptions: MtlsException[] = [];
  let grafanaGatewayExplicit = false;
  let grafanaGatewayEnabled = false;
  let tracingEnabled = false;
  const canaries: CanaryConfig[] = [];
  const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
  const read = readFields(m, MESH_FIELDS, {
    ...(ctx.clusterType !== undefined ? { clusterType: ctx.clusterType } : {}),
    readers: {
      "mtls.exceptions": (t, key) => {
        exceptions = readExceptions(t, key, strictNamespaces);
      },
      "grafanaGateway.enabled": (gg, key) => {
        grafanaGatewayExplicit = isTrue(gg.raw(key));
        // Off by default on cloud, where the gateway's LoadBalancer is public: publishing Grafana is a choice.
        grafanaGatewayEnabled = gg.bool(key, kind && gatewayEnabled && ctx.grafanaEnabled);
      },
      "tracing.enabled": (t, key) => {
        tracingEnabled = t.bool(key, ctx.tracingEnabled ?? false);
      },
      canaries: (s, key) => {
        readCanaries(s, key, canaries);
      },
    },
    checks: {
      "gateway.enabled": (_g, _key, value) => {
        gatewayEnabled = value === true;
      },
      "gateway.serviceType": (g, key, value) => {
        if (kind && value === "LoadBalancer") {
          g.problem(
            key,
            "is LoadBalancer but cluster.type is kind, where nothing assigns an external IP and Helm would wait for one forever",
            `set \`pulumi config set --path ${g.join(key)} NodePort\` (or ClusterIP)`,
          );
        }
      },
      injectNamespaces: (s, key, value) => {
        rejectReserved(
          s,
          key,
          stringsOf(value),
          [...SYSTEM_NAMESPACES, ...STACK_NAMESPACES],
          "a namespace of Kubernetes, Istio or the stack itself, which is never labelled for injection (the stack's own workloads are meshed one by one)",
        );
      },
      "mtls.strictNamespaces": (t, key, value) => {
        strictNamespaces = stringsOf(value);
        rejectReserved(t, key, strictNamespaces, SYSTEM_NAMESPACES, SYSTEM_WHY);
      },
      "authorization.defaultDenyNamespaces": (a, key, value) => {
        rejectReserved(a, key, stringsOf(value), SYSTEM_NAMESPACES, SYSTEM_WHY);
      },
      "grafanaGateway.hosts": (gg, key, value) => {
        if (gg.has(key) && stringsOf(value).length === 0) {
          gg.problem(key, "names no host", `set one, e.g. \`${setCommand(`${gg.join(key)}[0]`, "'*'")}\``);
        }
        if (grafanaGatewayExplicit && !gatewayEnabled) {
          gg.problem(
            "enabled",
            "is true but mesh.gateway.enabled is false, and Grafana is served through the gateway",
            "set `pulumi config set --path mesh.gateway.enabled true`, or `pulumi config set --path mesh.grafanaGateway.enabled false`",
          );
        } else if (grafanaGatewayExplicit && !ctx.grafanaEnabled) {
          gg.problem(
            "enabled",
            "is true but grafana.enabled is false",
            "set `pulumi config set --path grafana.enabled true`, or `pulumi config set --path mesh.grafanaGateway.enabled false`",
          );
        }
      },
    },
  });
  const endpoint = read.tracing.endpoint;
  const colon = endpoint.lastIndexOf(":");
  return {
    enabled: read.enabled,
    istiod: read.istiod,
    gateway: read.gateway,
    injectNamespaces: read.injectNamespaces,
    mtls: { ...read.mtls, exceptions },
    authorization: read.authorization,
    grafanaGateway: { enabled: grafanaGatewayEnabled, hosts: read.grafanaGateway.hosts },
    accessLogs: read.accessLogs,
    tracing: {
      endpoint,
      enabled: tracingEnabled,
      service: endpoint.slice(0, colon),
      port: Number(endpoint.slice(colon + 1)),
      samplingPercentage: read.tracing.samplingPercentage,
    },
    canaries,
  };
}

/** The mTLS mode a namespace's sidecars take: its own policy's, or the mesh-wide one. */
export function namespaceMtlsMode(mtls: MtlsConfig, namespace: string): MtlsMode | MtlsExceptionMode {
  if (mtls.strictNamespaces.includes(namespace)) return "STRICT";
  return mtls.exceptions.find((e) => e.namespace === namespace)?.mode ?? mtls.mode;
}

/**
 * Valid mesh config that is most likely a mistake. In a default-deny application namespace that
 * is not STRICT, Prometheus scrapes nothing: plaintext carries no identity for
 * `allow-prometheus-scrape` to admit, and a sidecar that is not STRICT passes Prometheus's TLS
 * through to the plain-HTTP port (istio/istio#38720). The stack's own namespaces are left out:
 * their only sidecars are Prometheus's (nothing intercepted) and Grafana's (STRICT by its own policy).
 */
export function meshWarnings(mesh: MeshConfig, prometheus: boolean, sizing?: string): string[] {
  const permissive =
    mesh.enabled && sizing === "production" && mesh.mtls.mode === "PERMISSIVE"
      ? [
          "mesh.mtls.mode: is PERMISSIVE on a production-sized stack, so meshed pods also accept plaintext without an identity; " +
            "set `pulumi config set --path mesh.mtls.mode STRICT`, with mesh.mtls.exceptions for the namespaces that still need plaintext",
        ]
      : [];
  return [...permissive, ...scrapeWarnings(mesh, prometheus)];
}

/** A default-deny application namespace that is not STRICT, where Prometheus cannot scrape. */
function scrapeWarnings(mesh: MeshConfig, prometheus: boolean): string[] {
  if (!mesh.enabled || !prometheus) return [];
  const stack: readonly string[] = STACK_NAMESPACES;
  const next = mesh.mtls.strictNamespaces.length;
  return mesh.authorization.defaultDenyNamespaces
    .map((ns, i) => ({ ns, i, mode: namespaceMtlsMode(mesh.mtls, ns) }))
    .filter(({ ns, mode }) => mode !== "STRICT" && !stack.includes(ns))
    .map(
      ({ ns, i, mode }, k) =>
        `mesh.authorization.defaultDenyNamespaces[${i}]: "${ns}" is ${mode}, where Prometheus cannot scrape its meshed pods ` +
        "(plaintext has no identity for allow-prometheus-scrape to admit, and a sidecar that is not STRICT passes Prometheus's Istio TLS through to the plain-HTTP port); " +
        `make it STRICT with \`${setCommand(`mesh.mtls.strictNamespaces[${next + k}]`, ns)}\`` +
        (mode === mesh.mtls.mode ? "" : " and remove its mesh.mtls.exceptions entry"),
    );
}

/** `mesh`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const MESH_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "The Istio service mesh (charts base, istiod, gateway) and its policies. Lists are set item by item: `pulumi config set --path 'mesh.injectNamespaces[0]' shop`.",
  fields: MESH_FIELDS,
};
