import {
  KeyDeclaration,
  MAX_REPLICAS,
  serviceHost,
  STACK_NAMESPACE_NAMES,
  Section,
  describe,
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

export interface MtlsConfig {
  /** The mesh-wide mode (PeerAuthentication `default` in istio-system). Defaults to PERMISSIVE. */
  mode: MtlsMode;
  /** Namespaces made STRICT whatever the mesh-wide mode. Defaults to none. */
  strictNamespaces: string[];
  /** Namespaces that accept plaintext. Defaults to none. */
  exceptions: MtlsException[];
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

export interface MeshTracingConfig {
  /** Send sidecar spans to the OTLP endpoint. Defaults to false. */
  enabled: boolean;
  /** The OTLP/gRPC collector's service host. Defaults to that of DEFAULT_TRACING_ENDPOINT. */
  service: string;
  /** Its port. Defaults to 4317. */
  port: number;
  /** Percentage of requests traced (0-100). Defaults to 100 on kind, 1 on cloud. */
  samplingPercentage: number;
}

export interface MeshConfig {
  /** Install Istio. Defaults to true. */
  enabled: boolean;
  istiod: {
    /** istiod replicas. Defaults to 1. */
    replicas: number;
  };
  gateway: {
    /** Install the ingress gateway. Defaults to true. */
    enabled: boolean;
    /** Gateway replicas. Defaults to 1. */
    replicas: number;
    /** Its Service type. Defaults to ClusterIP on kind (no load balancer there), LoadBalancer on cloud. */
    serviceType: GatewayServiceType;
  };
  /** Application namespaces that get sidecars (label `istio-injection=enabled`). Defaults to none. */
  injectNamespaces: string[];
  mtls: MtlsConfig;
  authorization: {
    /** Namespaces where only explicitly allowed requests reach meshed workloads. Defaults to none. */
    defaultDenyNamespaces: string[];
  };
  grafanaGateway: {
    /**
     * Serve Grafana through the ingress gateway, over mTLS to a Grafana sidecar. Defaults to true on
     * kind with the gateway and Grafana, false on cloud.
     */
    enabled: boolean;
    /** Host names the gateway serves Grafana on. Defaults to `*` (any). */
    hosts: string[];
  };
  /** Envoy access logs of every sidecar and gateway, on stdout. Defaults to true on kind, false on cloud. */
  accessLogs: boolean;
  tracing: MeshTracingConfig;
  /** Canary routes. Defaults to none. */
  canaries: CanaryConfig[];
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

function percentage(s: Section, key: string, fallback: number): number {
  const v = s.raw(key);
  if (v === undefined) return fallback;
  // `pulumi config set` without --path stores text, so "0.5" counts as 0.5.
  const n = typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || n > 100) {
    s.problem(
      key,
      `must be a percentage from 0 to 100, got ${describe(v)}`,
      `set e.g. \`pulumi config set --path ${s.join(key)} ${fallback}\``,
    );
    return fallback;
  }
  return n;
}

function requiredName(s: Section, key: string, pattern: typeof NAME): string | undefined {
  if (!s.has(key)) return s.requiredString(key, pattern.example);
  return s.optionalString(key, pattern);
}

/** Namespace lists must stay out of namespaces the mesh or Kubernetes run on. */
function rejectReserved(s: Section, key: string, names: string[], reserved: readonly string[], why: string) {
  names.forEach((ns, i) => {
    if (reserved.includes(ns)) s.problem(`${key}[${i}]`, `is "${ns}", ${why}`, "remove it");
  });
}

const SYSTEM_WHY =
  "a namespace of Kubernetes or Istio itself, where this policy would change the mesh's own traffic";

function readMtls(t: Section): MtlsConfig {
  const mode = t.oneOf("mode", MTLS_MODES, "PERMISSIVE") ?? "PERMISSIVE";
  const strictNamespaces = t.strings("strictNamespaces", NAMESPACE);
  rejectReserved(t, "strictNamespaces", strictNamespaces, SYSTEM_NAMESPACES, SYSTEM_WHY);
  const exceptions: MtlsException[] = [];
  t.items("exceptions").forEach((e, i) => {
    const namespace = requiredName(e, "namespace", NAMESPACE);
    const exceptionMode = e.oneOf("mode", MTLS_EXCEPTION_MODES, "PERMISSIVE") ?? "PERMISSIVE";
    const reason = e.requiredString("reason", '"legacy clients without sidecars"');
    e.done();
    if (namespace === undefined || reason === undefined) return;
    const at = `exceptions[${i}].namespace`;
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
  t.done();
  return { mode, strictNamespaces, exceptions };
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

/** Context from other keys that the mesh's defaults and cross-key rules need. */
export interface MeshContext {
  /** `cluster.type`, when it is valid. */
  clusterType?: "kind" | "cloud";
  /** `grafana.enabled` after its default. */
  grafanaEnabled: boolean;
  /** The tracing part runs, so mesh tracing is on by default. Defaults to false. */
  tracingEnabled?: boolean;
}

/** Reads the `mesh` key: Istio, its policies, telemetry and canary routes. */
export function readMesh(m: Section, ctx: MeshContext): MeshConfig {
  const kind = ctx.clusterType === "kind";
  const enabled = m.bool("enabled", true);

  const i = m.child("istiod");
  const istiod = { replicas: i.int("replicas", 1, 1, MAX_REPLICAS) };
  i.done();

  const g = m.child("gateway");
  const gateway = {
    enabled: g.bool("enabled", true),
    replicas: g.int("replicas", 1, 1, MAX_REPLICAS),
    serviceType:
      g.oneOf("serviceType", GATEWAY_SERVICE_TYPES, kind ? "ClusterIP" : "LoadBalancer") ?? "ClusterIP",
  };
  if (kind && gateway.serviceType === "LoadBalancer") {
    g.problem(
      "serviceType",
      "is LoadBalancer but cluster.type is kind, where nothing assigns an external IP and Helm would wait for one forever",
      `set \`pulumi config set --path ${g.join("serviceType")} NodePort\` (or ClusterIP)`,
    );
  }
  g.done();

  const injectNamespaces = m.strings("injectNamespaces", NAMESPACE);
  rejectReserved(
    m,
    "injectNamespaces",
    injectNamespaces,
    [...SYSTEM_NAMESPACES, ...STACK_NAMESPACES],
    "a namespace of Kubernetes, Istio or the stack itself, which is never labelled for injection (the stack's own workloads are meshed one by one)",
  );

  const mtls = readMtls(m.child("mtls"));

  const a = m.child("authorization");
  const defaultDenyNamespaces = a.strings("defaultDenyNamespaces", NAMESPACE);
  rejectReserved(a, "defaultDenyNamespaces", defaultDenyNamespaces, SYSTEM_NAMESPACES, SYSTEM_WHY);
  a.done();

  const gg = m.child("grafanaGateway");
  const grafanaGatewayExplicit = gg.raw("enabled") === true || gg.raw("enabled") === "true";
  const grafanaGateway = {
    // Off by default on cloud, where the gateway's LoadBalancer is public: publishing Grafana is a choice.
    enabled: gg.bool("enabled", kind && gateway.enabled && ctx.grafanaEnabled),
    hosts: gg.has("hosts")
      ? gg.strings("hosts", { re: HOST, what: "a host name such as grafana.example.com or *", example: "*" })
      : (gg.raw("hosts"), ["*"]),
  };
  if (gg.has("hosts") && grafanaGateway.hosts.length === 0) {
    gg.problem("hosts", "names no host", `set one, e.g. \`${setCommand(`${gg.join("hosts")}[0]`, "'*'")}\``);
  }
  if (grafanaGatewayExplicit && !gateway.enabled) {
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
  gg.done();

  const accessLogs = m.bool("accessLogs", kind);

  const t = m.child("tracing");
  const endpoint =
    t.optionalString("endpoint", {
      re: ENDPOINT,
      what: "an OTLP/gRPC endpoint as host:port",
      example: DEFAULT_TRACING_ENDPOINT,
    }) ?? DEFAULT_TRACING_ENDPOINT;
  const colon = endpoint.lastIndexOf(":");
  const tracing: MeshTracingConfig = {
    enabled: t.bool("enabled", ctx.tracingEnabled ?? false),
    service: endpoint.slice(0, colon),
    port: Number(endpoint.slice(colon + 1)),
    samplingPercentage: percentage(t, "samplingPercentage", kind ? 100 : 1),
  };
  t.done();

  const canaries: CanaryConfig[] = [];
  const canaryIndex: number[] = [];
  m.items("canaries").forEach((c, index) => {
    const canary = readCanary(c);
    if (canary === undefined) return;
    if (canary.match === undefined && (canary.weights === undefined || canary.weights.canary === 0)) {
      m.problem(
        `canaries[${index}]`,
        `has neither a header match nor a canary weight, so no request would reach version "${canary.canary}"`,
        `set a match (\`${setCommand(c.join("match.headers.end-user"), "test-user")}\`) or weights (\`${setCommand(c.join("weights.stable"), "90")}\` and \`${setCommand(c.join("weights.canary"), "10")}\`)`,
      );
      return;
    }
    const first = canaries.findIndex((x) => x.namespace === canary.namespace && x.name === canary.name);
    if (first >= 0) {
      m.problem(
        `canaries[${index}].name`,
        `"${canary.name}" in namespace "${canary.namespace}" repeats ${m.join(`canaries[${canaryIndex[first] ?? first}]`)}`,
        "give each canary route its own name",
      );
      return;
    }
    canaries.push(canary);
    canaryIndex.push(index);
  });

  m.done();
  return {
    enabled,
    istiod,
    gateway,
    injectNamespaces,
    mtls,
    authorization: { defaultDenyNamespaces },
    grafanaGateway,
    accessLogs,
    tracing,
    canaries,
  };
}

/**
 * `mesh`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields are
 * still read by the hand-written reader in this file, and test/pulumi-yaml.test.ts checks that
 * the description names exactly the fields that reader knows.
 */
export const MESH_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "The Istio service mesh (charts base, istiod, gateway) and its policies. Lists are set item by",
    "item: `pulumi config set --path 'mesh.injectNamespaces[0]' shop`.",
    "  mesh.enabled                 Install Istio. Default: true.",
    "  mesh.istiod.replicas         istiod replicas (an autoscaler stays off). Default: 1.",
    "  mesh.gateway.enabled         Install the ingress gateway (namespace istio-ingress). Default: true.",
    "  mesh.gateway.replicas        Gateway replicas. Default: 1.",
    "  mesh.gateway.serviceType     ClusterIP | NodePort | LoadBalancer (not on kind). Default: ClusterIP on kind, LoadBalancer on cloud.",
    "  mesh.injectNamespaces        Application namespaces (they must exist) labelled istio-injection=enabled; the",
    "                               stack's own and Kubernetes'/Istio's namespaces are refused. Default: none.",
    "  mesh.mtls.mode               Mesh-wide mTLS: STRICT | PERMISSIVE. Default: PERMISSIVE.",
    "  mesh.mtls.strictNamespaces   Namespaces that are STRICT whatever the mesh-wide mode. Default: none.",
    "  mesh.mtls.exceptions         Namespaces that accept plaintext, each {namespace, mode: PERMISSIVE | DISABLE",
    "                               (default PERMISSIVE), reason (required)}. Default: none.",
    "  mesh.authorization.defaultDenyNamespaces",
    "                               Namespaces where meshed workloads take only requests a policy allows (the stack",
    "                               adds: Prometheus may scrape with GET). Default: none.",
    "  mesh.grafanaGateway.enabled  Serve Grafana through the gateway (Grafana gets a sidecar and takes requests",
    "                               from the gateway and Prometheus only). Default: true on kind with the gateway and",
    "                               Grafana; false on cloud, where the gateway's LoadBalancer is public.",
    '  mesh.grafanaGateway.hosts    Host names to serve Grafana on. Default: ["*"].',
    "  mesh.accessLogs              Envoy access logs on stdout. Default: true on kind, false on cloud.",
    "  mesh.tracing.enabled         Send spans to an OTLP collector (Telemetry API). Default: tracing.enabled.",
    "  mesh.tracing.endpoint        The collector's OTLP/gRPC host:port. Default: otlp.tracing.svc.cluster.local:4317 (the tracing part's endpoint).",
    "  mesh.tracing.samplingPercentage",
    "                               Percentage of requests traced, 0-100. Default: 100 on kind, 1 on cloud.",
    "  mesh.canaries                Canary routes, each {name, namespace (required); host (default: the name);",
    "                               versionLabel (default version); stable (default v1); canary (default v2);",
    "                               match.headers: exact header values sent to the canary; weights.stable and",
    "                               weights.canary: the split of all other requests, adding up to 100}. A canary",
    "                               needs a match or a canary weight. Default: none.",
  ].join("\n"),
};
