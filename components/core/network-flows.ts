/**
 * The network flows the stack needs, as data: who talks to whom on which port. The
 * NetworkPolicies (network-policies.ts) deny every other ingress into the stack's namespaces and
 * allow exactly these. Traffic from a pod's own node (kubelet probes, port-forwards) is always
 * allowed by Kubernetes, and hostNetwork pods (node-exporter) are outside NetworkPolicy.
 */
import { Fields, Infer, KeyDeclaration, StackNamespaceKey } from "../kit";
import { ALLOY_RELEASE, LOKI_RELEASE, PROMTAIL_RELEASE } from "../logging";
import { ISTIO_GATEWAY_SELECTOR } from "../mesh";
import {
  GRAFANA_POD,
  STACK_RELEASE,
  THANOS_SELECTOR,
  THANOS_SERVICES,
  THANOS_SIDECAR_PORTS,
} from "../monitoring";
import { ELASTICSEARCH_NAME, FILEBEAT_NAME, KIBANA_NAME } from "../search";
import { COLLECTOR_SELECTOR, JAEGER_PORTS, JAEGER_SELECTOR, OTLP_PORTS } from "../tracing";

/** What the flows depend on besides which parts run (a slice of the stack config). */
export interface FlowConfig {
  alertmanager: { replicas: number };
  grafana: { replicas: number };
  loki: { caches: boolean; objectStorage?: { type: string } };
  tracing: { storage: string };
}

/** Which parts run (the model's PartsRunning). */
export interface FlowSwitches {
  prometheus: boolean;
  alertmanager: boolean;
  grafana: boolean;
  /** Thanos: the sidecar in each Prometheus replica, and the thanos release. */
  thanos: boolean;
  loki: boolean;
  logCollector?: "alloy" | "promtail";
  tracing: boolean;
  jaeger: boolean;
  collector: boolean;
  elastic: boolean;
  mesh: boolean;
  gateway: boolean;
  grafanaBehindGateway: boolean;
  /** Jaeger stores spans in the stack's own Elasticsearch. */
  jaegerOnStackElasticsearch: boolean;
}

export const NETWORK_POLICIES_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description:
      "Deny every ingress into the stack's namespaces but the flows the stack needs (components/core/network-flows.ts). Needs a CNI that enforces NetworkPolicy: kind's kindnet does since kind v0.24.0 (docs/air-gapped.md).",
  },
} as const satisfies Fields;

/** Kubernetes NetworkPolicies in the stack's namespaces. */
export type NetworkPoliciesConfig = Infer<typeof NETWORK_POLICIES_FIELDS>;

export const NETWORK_POLICIES_KEY: KeyDeclaration = {
  kind: "object",
  description: "Default-deny ingress in every namespace the stack owns, plus exactly the flows it needs.",
  fields: NETWORK_POLICIES_FIELDS,
};

/** A set of pods in one of the stack's namespaces, by the labels their charts or operators give them. */
export interface PodGroup {
  /** A short name, used in policy names: `allow-<name>`. */
  name: string;
  namespace: string;
  /** Labels every pod of the group has. */
  labels: Readonly<Record<string, string>>;
  /** Further label that must take one of the values. Defaults to none. */
  oneOf?: { key: string; values: readonly string[] };
}

/**
 * Where a flow comes from: pods of a group; any pod in any namespace (applications sending
 * spans, meshed pods fetching their configuration); or any address at all (the API server calling
 * a webhook, a load balancer in front of the gateway), which NetworkPolicy cannot tell apart.
 */
export type FlowSource = { pods: PodGroup } | { anyPod: true } | { anywhere: true };

export interface Port {
  port: number;
  /** Defaults to TCP. */
  protocol?: "TCP" | "UDP";
}

export interface Flow {
  from: FlowSource;
  to: PodGroup;
  ports: readonly Port[];
  /** Why it is needed, for the reader of a policy. */
  why: string;
}

const NAME = "app.kubernetes.io/name";
const COMPONENT = "app.kubernetes.io/component";

/**
 * The pods of the stack that receive traffic, by the namespaces the stack gives them. `lokiTargets`
 * are the `app.kubernetes.io/component` labels of the Loki targets that run (lokiTargetComponents).
 */
export function podGroups(ns: Readonly<Record<StackNamespaceKey, string>>, lokiTargets: readonly string[]) {
  const thanos = (name: string, component: string): PodGroup => ({
    name,
    namespace: ns.monitoring,
    labels: { ...THANOS_SELECTOR, [COMPONENT]: component },
  });
  return {
    prometheus: { name: "prometheus", namespace: ns.monitoring, labels: { [NAME]: "prometheus" } },
    alertmanager: { name: "alertmanager", namespace: ns.monitoring, labels: { [NAME]: "alertmanager" } },
    grafana: { name: "grafana", namespace: ns.monitoring, labels: { ...GRAFANA_POD.selector } },
    kubeStateMetrics: {
      name: "kube-state-metrics",
      namespace: ns.monitoring,
      labels: { [NAME]: "kube-state-metrics", "app.kubernetes.io/instance": STACK_RELEASE },
    },
    operator: {
      name: "prometheus-operator",
      namespace: ns.monitoring,
      labels: { app: `${STACK_RELEASE}-operator`, release: STACK_RELEASE },
    },
    thanosQuery: thanos("thanos-query", "query"),
    thanosQueryFrontend: thanos("thanos-query-frontend", "query-frontend"),
    thanosStoreGateway: thanos("thanos-storegateway", "storegateway"),
    thanosCompactor: thanos("thanos-compactor", "compactor"),
    lokiGateway: {
      name: "loki-gateway",
      namespace: ns.logging,
      labels: {
        [NAME]: "loki",
        "app.kubernetes.io/instance": LOKI_RELEASE,
        [COMPONENT]: "gateway",
      },
    },
    // Loki's targets, whichever the mode runs: the single binary, read, write and backend, or the
    // distributed components; all of them serve on the same ports and join one ring.
    loki: {
      name: "loki",
      namespace: ns.logging,
      labels: { [NAME]: "loki", "app.kubernetes.io/instance": LOKI_RELEASE },
      oneOf: { key: COMPONENT, values: [...lokiTargets] },
    },
    lokiCaches: {
      name: "loki-caches",
      namespace: ns.logging,
      labels: { [NAME]: "loki", "app.kubernetes.io/instance": LOKI_RELEASE },
      oneOf: {
        key: COMPONENT,
        values: ["memcached-chunks-cache", "memcached-results-cache"],
      },
    },
    alloy: {
      name: "alloy",
      namespace: ns.logging,
      labels: { [NAME]: "alloy", "app.kubernetes.io/instance": ALLOY_RELEASE },
    },
    promtail: {
      name: "promtail",
      namespace: ns.logging,
      labels: { [NAME]: "promtail", "app.kubernetes.io/instance": PROMTAIL_RELEASE },
    },
    jaeger: { name: "jaeger", namespace: ns.tracing, labels: { ...JAEGER_SELECTOR } },
    jaegerMaintenance: {
      name: "jaeger-es-maintenance",
      namespace: ns.tracing,
      labels: {
        [NAME]: JAEGER_SELECTOR["app.kubernetes.io/name"],
        "app.kubernetes.io/instance": JAEGER_SELECTOR["app.kubernetes.io/instance"],
      },
      oneOf: {
        key: COMPONENT,
        values: ["es-index-cleaner", "es-rollover", "es-lookback"],
      },
    },
    collector: { name: "otel-gateway", namespace: ns.tracing, labels: { ...COLLECTOR_SELECTOR } },
    istiod: { name: "istiod", namespace: ns.istioSystem, labels: { istio: "pilot" } },
    gateway: { name: "istio-gateway", namespace: ns.istioIngress, labels: { ...ISTIO_GATEWAY_SELECTOR } },
    eckOperator: {
      name: "eck-operator",
      namespace: ns.elasticSystem,
      labels: { [NAME]: "elastic-operator", "app.kubernetes.io/instance": "eck-operator" },
    },
    elasticsearch: {
      name: "elasticsearch",
      namespace: ns.search,
      labels: { "elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH_NAME },
    },
    kibana: { name: "kibana", namespace: ns.search, labels: { "kibana.k8s.elastic.co/name": KIBANA_NAME } },
    filebeat: {
      name: "filebeat",
      namespace: ns.search,
      labels: { "beat.k8s.elastic.co/name": FILEBEAT_NAME },
    },
    ilmJob: { name: "elasticsearch-ilm", namespace: ns.search, labels: { [NAME]: "elasticsearch-ilm" } },
  } satisfies Record<string, PodGroup>;
}

export type PodGroups = ReturnType<typeof podGroups>;

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port }));

/** Istio's merged Prometheus endpoint on every sidecar and gateway (the envoy-stats PodMonitor). */
const ISTIO_PROXY_METRICS = 15020;

/**
 * Every flow the stack needs with this config, computed from the same switches that decide what
 * runs. Prometheus scrapes every target it has; Grafana reaches each datasource; Thanos query reads
 * the sidecars and the store gateway, behind its query-frontend; the log collector pushes to Loki;
 * applications send OTLP to the tracing namespace; the API server calls the admission webhooks;
 * Kibana, Filebeat and their operator reach Elasticsearch; the ingress gateway reaches what it
 * exposes.
 */
export function stackFlows(config: FlowConfig, runs: FlowSwitches, g: PodGroups): Flow[] {
  const flows: Flow[] = [];
  const add = (from: FlowSource, to: PodGroup, ports: Port[], why: string) =>
    flows.push({ from, to, ports, why });
  const prom = runs.prometheus;
  const grafana = runs.grafana;
  const alertmanager = runs.alertmanager;
  const mesh = runs.mesh;
  const gateway = runs.gateway;
  const grafanaBehindGateway = runs.grafanaBehindGateway;
  const fromProm = { pods: g.prometheus };
  const fromGrafana = { pods: g.grafana };

  if (prom) {
    add(fromProm, g.prometheus, tcp(9090, 8080), "Prometheus scrapes itself and its config reloader");
    add(fromProm, g.operator, tcp(10250), "Prometheus scrapes the operator");
    add({ anywhere: true }, g.operator, tcp(10250), "the API server calls the operator's admission webhook");
    add(fromProm, g.kubeStateMetrics, tcp(8080), "Prometheus scrapes kube-state-metrics");
    if (alertmanager) {
      add(fromProm, g.alertmanager, tcp(9093, 8080), "Prometheus sends alerts and scrapes Alertmanager");
      if (config.alertmanager.replicas > 1) {
        add(
          { pods: g.alertmanager },
          g.alertmanager,
          [{ port: 9094 }, { port: 9094, protocol: "UDP" }],
          "Alertmanager replicas gossip to deduplicate",
        );
      }
    }
    if (runs.thanos) {
      const q = THANOS_SERVICES.query;
      const sidecar = THANOS_SIDECAR_PORTS;
      add(fromProm, g.prometheus, tcp(sidecar.http), "Prometheus scrapes the Thanos sidecars");
      add(fromProm, g.thanosQuery, tcp(q.http), "Prometheus scrapes Thanos query");
      add(
        fromProm,
        g.thanosQueryFrontend,
        tcp(THANOS_SERVICES.queryFrontend.http),
        "Prometheus scrapes the Thanos query-frontend",
      );
      add(
        fromProm,
        g.thanosStoreGateway,
        tcp(THANOS_SERVICES.storeGateway.http),
        "Prometheus scrapes the Thanos store gateway",
      );
      add(
        fromProm,
        g.thanosCompactor,
        tcp(THANOS_SERVICES.compactor.http),
        "Prometheus scrapes the Thanos compactor",
      );
      add(
        { pods: g.thanosQueryFrontend },
        g.thanosQuery,
        tcp(q.http),
        "the Thanos query-frontend passes queries to query",
      );
      add(
        { pods: g.thanosQuery },
        g.prometheus,
        tcp(sidecar.grpc),
        "Thanos query reads recent samples from the sidecars (StoreAPI)",
      );
      add(
        { pods: g.thanosQuery },
        g.thanosStoreGateway,
        tcp(THANOS_SERVICES.storeGateway.grpc),
        "Thanos query reads the bucket's history from the store gateway (StoreAPI)",
      );
    }
    if (grafana) {
      add(fromProm, g.grafana, tcp(GRAFANA_POD.containerPort), "Prometheus scrapes Grafana");
      // With Thanos, the Prometheus datasource reads the query-frontend instead of Prometheus.
      if (runs.thanos) {
        add(
          fromGrafana,
          g.thanosQueryFrontend,
          tcp(THANOS_SERVICES.queryFrontend.http),
          "Grafana queries its Prometheus datasource, the Thanos query-frontend",
        );
      } else {
        add(fromGrafana, g.prometheus, tcp(9090), "Grafana queries its Prometheus datasource");
      }
      if (alertmanager)
        add(fromGrafana, g.alertmanager, tcp(9093), "Grafana reads its Alertmanager datasource");
      if (config.grafana.replicas > 1) {
        add(
          { pods: g.grafana },
          g.grafana,
          [{ port: 9094 }, { port: 9094, protocol: "UDP" }],
          "Grafana replicas gossip (unified alerting)",
        );
      }
    }
  }

  if (runs.loki) {
    add({ pods: g.lokiGateway }, g.loki, tcp(3100), "the Loki gateway forwards pushes and queries");
    add(
      { pods: g.loki },
      g.loki,
      tcp(3100, 9095, 7946),
      "Loki's targets talk HTTP, gRPC and memberlist to each other",
    );
    if (config.loki.caches) {
      add({ pods: g.loki }, g.lokiCaches, tcp(11211), "Loki reads and writes its chunks and results caches");
      if (prom) add(fromProm, g.lokiCaches, tcp(9150), "Prometheus scrapes the memcached exporters");
    }
    if (prom) add(fromProm, g.loki, tcp(3100), "Prometheus scrapes Loki");
    if (grafana) add(fromGrafana, g.lokiGateway, tcp(8080), "Grafana queries its Loki datasource");
    if (runs.logCollector !== undefined) {
      const kind = runs.logCollector;
      const collector = kind === "alloy" ? g.alloy : g.promtail;
      add({ pods: collector }, g.lokiGateway, tcp(8080), "the log collector pushes to Loki's gateway");
      if (prom) {
        add(
          fromProm,
          collector,
          tcp(kind === "alloy" ? 12345 : 3101),
          "Prometheus scrapes the log collector",
        );
      }
    }
  }

  if (runs.tracing) {
    const collectorOn = runs.collector;
    const jaegerOn = runs.jaeger;
    const otlp = tcp(OTLP_PORTS.grpc, OTLP_PORTS.http);
    if (collectorOn) {
      add(
        { anyPod: true },
        g.collector,
        otlp,
        "applications in any namespace send OTLP to the collector gateway",
      );
      if (prom) add(fromProm, g.collector, tcp(8888), "Prometheus scrapes the collector");
    }
    if (jaegerOn) {
      add(
        collectorOn ? { pods: g.collector } : { anyPod: true },
        g.jaeger,
        otlp,
        collectorOn
          ? "the collector gateway exports spans to Jaeger"
          : "applications in any namespace send OTLP to Jaeger",
      );
      if (prom) add(fromProm, g.jaeger, tcp(JAEGER_PORTS.metrics), "Prometheus scrapes Jaeger");
      if (grafana)
        add(fromGrafana, g.jaeger, tcp(JAEGER_PORTS.query), "Grafana queries its Jaeger datasource");
    }
  }

  if (mesh) {
    add(
      { anyPod: true },
      g.istiod,
      tcp(15012),
      "sidecars and gateways in any namespace fetch their configuration and certificates",
    );
    add(
      { anywhere: true },
      g.istiod,
      tcp(15017),
      "the API server calls istiod's injection and validation webhooks",
    );
    if (prom) {
      add(fromProm, g.istiod, tcp(15014), "Prometheus scrapes istiod");
      // The envoy-stats PodMonitor scrapes every sidecar: Prometheus' own, and Grafana's behind the gateway.
      add(fromProm, g.prometheus, tcp(ISTIO_PROXY_METRICS), "Prometheus scrapes its own sidecar");
      if (grafanaBehindGateway)
        add(fromProm, g.grafana, tcp(ISTIO_PROXY_METRICS), "Prometheus scrapes Grafana's sidecar");
    }
    if (gateway) {
      add(
        { anywhere: true },
        g.gateway,
        tcp(80, 443, 15021),
        "clients and the load balancer's health checks reach the ingress gateway",
      );
      if (prom) add(fromProm, g.gateway, tcp(ISTIO_PROXY_METRICS), "Prometheus scrapes the gateway");
      if (grafanaBehindGateway) {
        add(
          { pods: g.gateway },
          g.grafana,
          tcp(GRAFANA_POD.containerPort),
          "the ingress gateway exposes Grafana",
        );
      }
    }
  }

  if (runs.elastic) {
    add({ anywhere: true }, g.eckOperator, tcp(9443), "the API server calls ECK's validating webhook");
    const es = g.elasticsearch;
    add({ pods: g.eckOperator }, es, tcp(9200), "the ECK operator manages the cluster through its API");
    add(
      { pods: es },
      es,
      tcp(9200, 9300),
      "Elasticsearch nodes talk to each other (transport) and to their own API",
    );
    add({ pods: g.kibana }, es, tcp(9200), "Kibana reads and writes Elasticsearch");
    add({ pods: g.filebeat }, es, tcp(9200), "Filebeat ships logs to Elasticsearch");
    add({ pods: g.ilmJob }, es, tcp(9200), "the lifecycle Job applies the ILM policy and index template");
    if (grafana) add(fromGrafana, es, tcp(9200), "Grafana queries its Elasticsearch datasource");
    if (runs.jaegerOnStackElasticsearch) {
      add({ pods: g.jaeger }, es, tcp(9200), "Jaeger stores spans in Elasticsearch");
      add(
        { pods: g.jaegerMaintenance },
        es,
        tcp(9200),
        "Jaeger's index cleaner drops indices past the retention",
      );
    }
  }
  return flows;
}
