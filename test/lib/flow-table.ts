/**
 * The network flows each stack needs, held here as a table written from the charts (pod labels
 * and ports as `helm template` renders them, and the labels the operators give the pods they
 * start), apart from the program's own flow list (each part's flows, folded by components/core/model.ts). The unit
 * suite checks the declared NetworkPolicies against it; the tool suite checks it against the pods
 * the real charts render.
 */
import { Pod, RequiredFlow } from "./network-policy";

const pod = (name: string, namespace: string, labels: Record<string, string>): Pod => ({
  name,
  namespace,
  labels,
});
const n = "app.kubernetes.io/name";
const i = "app.kubernetes.io/instance";
const c = "app.kubernetes.io/component";

const loki = (name: string, component: string, extra: Record<string, string> = {}): Pod =>
  pod(name, "logging", { [n]: "loki", [i]: "loki", [c]: component, ...extra });
const thanos = (component: string): Pod =>
  pod(`thanos-${component}`, "monitoring", { [n]: "thanos", [i]: "thanos", [c]: component });

/** The stack's pods with the labels their charts and operators give them. */
export const P = {
  prometheus: pod("prometheus", "monitoring", {
    [n]: "prometheus",
    [i]: "kube-prometheus-stack-prometheus",
    prometheus: "kube-prometheus-stack-prometheus",
    "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
  }),
  alertmanager: pod("alertmanager", "monitoring", {
    [n]: "alertmanager",
    [i]: "kube-prometheus-stack-alertmanager",
    alertmanager: "kube-prometheus-stack-alertmanager",
  }),
  grafana: pod("grafana", "monitoring", { [n]: "grafana", [i]: "kube-prometheus-stack" }),
  ksm: pod("kube-state-metrics", "monitoring", { [n]: "kube-state-metrics", [i]: "kube-prometheus-stack" }),
  operator: pod("operator", "monitoring", {
    app: "kube-prometheus-stack-operator",
    release: "kube-prometheus-stack",
  }),
  thanosQuery: thanos("query"),
  thanosQueryFrontend: thanos("query-frontend"),
  thanosStoreGateway: thanos("storegateway"),
  thanosCompactor: thanos("compactor"),
  lokiSingle: loki("loki-0", "single-binary"),
  lokiRead: loki("loki-read", "read"),
  lokiWrite: loki("loki-write", "write"),
  lokiBackend: loki("loki-backend", "backend"),
  lokiDistributor: loki("loki-distributor", "distributor"),
  lokiIngesterA: loki("loki-ingester-zone-a", "ingester", {
    name: "ingester-zone-a",
    "rollout-group": "ingester",
  }),
  lokiIngesterB: loki("loki-ingester-zone-b", "ingester", {
    name: "ingester-zone-b",
    "rollout-group": "ingester",
  }),
  lokiIngesterC: loki("loki-ingester-zone-c", "ingester", {
    name: "ingester-zone-c",
    "rollout-group": "ingester",
  }),
  lokiQuerier: loki("loki-querier", "querier"),
  lokiQueryFrontend: loki("loki-query-frontend", "query-frontend"),
  lokiQueryScheduler: loki("loki-query-scheduler", "query-scheduler"),
  lokiIndexGateway: loki("loki-index-gateway", "index-gateway"),
  lokiCompactor: loki("loki-compactor", "compactor"),
  lokiGateway: loki("loki-gateway", "gateway"),
  chunksCache: loki("chunks-cache", "memcached-chunks-cache", { name: "memcached-chunks-cache" }),
  resultsCache: loki("results-cache", "memcached-results-cache", { name: "memcached-results-cache" }),
  alloy: pod("alloy", "logging", { [n]: "alloy", [i]: "alloy" }),
  jaeger: pod("jaeger", "tracing", { [n]: "jaeger", [i]: "jaeger", [c]: "all-in-one" }),
  collector: pod("otel-gateway", "tracing", {
    [n]: "opentelemetry-collector",
    [i]: "otel-gateway",
    component: "standalone-collector",
  }),
  istiod: pod("istiod", "istio-system", { app: "istiod", istio: "pilot" }),
  gateway: pod("istio-ingressgateway", "istio-ingress", {
    app: "istio-ingressgateway",
    istio: "ingressgateway",
  }),
  eckOperator: pod("elastic-operator", "elastic-system", { [n]: "elastic-operator", [i]: "eck-operator" }),
  es: pod("elasticsearch", "search", {
    "elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch",
    "elasticsearch.k8s.elastic.co/statefulset-name": "elasticsearch-es-hot",
  }),
  kibana: pod("kibana", "search", { "kibana.k8s.elastic.co/name": "kibana" }),
  filebeat: pod("filebeat", "search", { "beat.k8s.elastic.co/name": "filebeat" }),
  ilm: pod("ilm-job", "search", { [n]: "elasticsearch-ilm" }),
  certManager: pod("cert-manager", "cert-manager", {
    app: "cert-manager",
    [n]: "cert-manager",
    [i]: "cert-manager",
    [c]: "controller",
  }),
  certManagerWebhook: pod("cert-manager-webhook", "cert-manager", {
    app: "webhook",
    [n]: "webhook",
    [i]: "cert-manager",
    [c]: "webhook",
  }),
  certManagerCainjector: pod("cert-manager-cainjector", "cert-manager", {
    app: "cainjector",
    [n]: "cainjector",
    [i]: "cert-manager",
    [c]: "cainjector",
  }),
  // The pod cert-manager starts for each ACME HTTP-01 challenge, beside the certificate.
  oauth2Proxy: pod("oauth2-proxy", "monitoring", {
    app: "oauth2-proxy",
    [n]: "oauth2-proxy",
    [i]: "oauth2-proxy",
    [c]: "authentication-proxy",
  }),
  acmeSolver: pod("cm-acme-http-solver", "istio-ingress", {
    "acme.cert-manager.io/http01-solver": "true",
    [n]: "acme-http01-solver",
  }),
  esIndexCleaner: pod("jaeger-es-index-cleaner", "tracing", {
    [n]: "jaeger",
    [i]: "jaeger",
    [c]: "es-index-cleaner",
  }),
};

/**
 * The pods of the table that operators start, so no chart renders them: prometheus-operator's
 * Prometheus and Alertmanager, ECK's Elasticsearch, Kibana and Filebeat.
 */
export const OPERATOR_STARTED: readonly Pod[] = [
  P.prometheus,
  P.alertmanager,
  P.es,
  P.kibana,
  P.filebeat,
  P.acmeSolver,
];

/** An application pod that sends spans and runs a sidecar. */
export const APP = pod("shop", "shop", { app: "shop" });

const f = (from: RequiredFlow["from"], to: Pod, ...ports: number[]): RequiredFlow[] =>
  ports.map((port) => ({ from, to, port }));

/**
 * The flows every stack needs: Prometheus, Grafana, Loki's gateway, Jaeger, Istio and its gateway.
 * With Thanos, Grafana's Prometheus datasource reads the query-frontend instead of Prometheus.
 */
function common(lokiPods: Pod[], { thanos }: { thanos: boolean }): RequiredFlow[] {
  return [
    // Prometheus scrapes every target it has.
    ...f(P.prometheus, P.prometheus, 9090, 8080, 15020),
    ...f(P.prometheus, P.operator, 10250),
    ...f(P.prometheus, P.ksm, 8080),
    ...f(P.prometheus, P.alertmanager, 9093, 8080),
    // Grafana has no sidecar: the front door, not mesh.grafanaGateway, publishes it.
    ...f(P.prometheus, P.grafana, 3000),
    ...lokiPods.flatMap((l) => f(P.prometheus, l, 3100)),
    ...f(P.prometheus, P.alloy, 12345),
    ...f(P.prometheus, P.jaeger, 8888),
    ...f(P.prometheus, P.istiod, 15014),
    ...f(P.prometheus, P.gateway, 15020),
    // Grafana to each datasource.
    ...(thanos ? f(P.grafana, P.thanosQueryFrontend, 9090) : f(P.grafana, P.prometheus, 9090)),
    ...f(P.grafana, P.alertmanager, 9093),
    ...f(P.grafana, P.lokiGateway, 8080),
    ...f(P.grafana, P.jaeger, 16686),
    // The log collector to Loki, through its gateway; Loki's targets to each other.
    ...f(P.alloy, P.lokiGateway, 8080),
    ...lokiPods.flatMap((l) => f(P.lokiGateway, l, 3100)),
    ...lokiPods.flatMap((a) => lokiPods.flatMap((b) => f(a, b, 3100, 9095, 7946))),
    // The API server to the admission webhooks.
    ...f("anywhere", P.operator, 10250),
    ...f("anywhere", P.istiod, 15017),
    // Every sidecar and gateway to istiod.
    ...f("any pod", P.istiod, 15012),
    // The ingress gateway: reachable from outside, and to what it exposes.
    ...f("anywhere", P.gateway, 80, 443, 15021),
    ...f(P.gateway, P.grafana, 3000),
    // The front door: the API server to cert-manager's webhook.
    ...f("anywhere", P.certManagerWebhook, 10250),
  ];
}

export const DEV_PODS = [
  P.prometheus,
  P.alertmanager,
  P.grafana,
  P.ksm,
  P.operator,
  P.lokiSingle,
  P.lokiGateway,
  P.alloy,
  P.jaeger,
  P.istiod,
  P.gateway,
  P.certManager,
  P.certManagerWebhook,
  P.certManagerCainjector,
];

export const DEV_FLOWS: RequiredFlow[] = [
  ...common([P.lokiSingle], { thanos: false }),
  // OTLP from application namespaces straight into Jaeger.
  ...f("any pod", P.jaeger, 4317, 4318),
  // On kind's in-cluster gateway the front door serves every UI; on a LoadBalancer, Grafana only.
  ...f(P.gateway, P.prometheus, 9090),
  ...f(P.gateway, P.alertmanager, 9093),
  ...f(P.gateway, P.jaeger, 16686),
];

const LOKI_SCALABLE = [P.lokiRead, P.lokiWrite, P.lokiBackend];
const CACHES = [P.chunksCache, P.resultsCache];

/** What prod runs beside dev's parts and Loki: the collector gateway, ECK and Elasticsearch. */
const PROD_EXTRA_PODS = [
  P.oauth2Proxy,
  P.collector,
  P.eckOperator,
  P.es,
  P.kibana,
  P.filebeat,
  P.ilm,
  P.esIndexCleaner,
  P.acmeSolver,
];

export const PROD_PODS = [
  ...DEV_PODS.filter((p) => p !== P.lokiSingle),
  ...LOKI_SCALABLE,
  ...CACHES,
  ...PROD_EXTRA_PODS,
];

/** The flows prod and large share besides common(): Alertmanager's gossip, caches, the collector, ECK. */
function prodExtra(lokiPods: Pod[]): RequiredFlow[] {
  return [
    // Two Alertmanagers gossip.
    { from: P.alertmanager, to: P.alertmanager, port: 9094 },
    { from: P.alertmanager, to: P.alertmanager, port: 9094, protocol: "UDP" },
    // Loki's caches, and their exporters.
    ...lokiPods.flatMap((l) => CACHES.flatMap((cache) => f(l, cache, 11211))),
    ...CACHES.flatMap((cache) => f(P.prometheus, cache, 9150)),
    // OTLP from application namespaces into the collector gateway, which exports to Jaeger.
    ...f("any pod", P.collector, 4317, 4318),
    ...f(P.collector, P.jaeger, 4317, 4318),
    ...f(P.prometheus, P.collector, 8888),
    // ECK: its webhook, the operator, Kibana, Filebeat, the lifecycle Job and Grafana to Elasticsearch.
    ...f("anywhere", P.eckOperator, 9443),
    ...f(P.eckOperator, P.es, 9200),
    ...f(P.es, P.es, 9200, 9300),
    ...f(P.kibana, P.es, 9200),
    ...f(P.filebeat, P.es, 9200),
    ...f(P.ilm, P.es, 9200),
    ...f(P.grafana, P.es, 9200),
    // Jaeger stores spans in the stack's Elasticsearch, and its nightly cleaner drops old indices.
    ...f(P.jaeger, P.es, 9200),
    ...f(P.esIndexCleaner, P.es, 9200),
    // The front door's Let's Encrypt certificate: the gateway passes HTTP-01 challenges to the solver.
    ...f(P.gateway, P.acmeSolver, 8089),
    // Sign-on: the gateway asks oauth2-proxy about each request to the UIs without a login of
    // their own, and serves them on the LoadBalancer behind it.
    ...f(P.gateway, P.oauth2Proxy, 4180),
    ...f(P.gateway, P.prometheus, 9090),
    ...f(P.gateway, P.alertmanager, 9093),
    ...f(P.gateway, P.jaeger, 16686),
  ];
}

export const PROD_FLOWS: RequiredFlow[] = [
  ...common(LOKI_SCALABLE, { thanos: false }),
  ...prodExtra(LOKI_SCALABLE),
];

/** Loki's distributed components, the ingesters in three zones (one StatefulSet each). */
const LOKI_DISTRIBUTED = [
  P.lokiDistributor,
  P.lokiIngesterA,
  P.lokiIngesterB,
  P.lokiIngesterC,
  P.lokiQuerier,
  P.lokiQueryFrontend,
  P.lokiQueryScheduler,
  P.lokiIndexGateway,
  P.lokiCompactor,
];
const THANOS = [P.thanosQuery, P.thanosQueryFrontend, P.thanosStoreGateway, P.thanosCompactor];

export const LARGE_PODS = [
  ...DEV_PODS.filter((p) => p !== P.lokiSingle),
  ...THANOS,
  ...LOKI_DISTRIBUTED,
  ...CACHES,
  ...PROD_EXTRA_PODS,
];

export const LARGE_FLOWS: RequiredFlow[] = [
  ...common(LOKI_DISTRIBUTED, { thanos: true }),
  ...prodExtra(LOKI_DISTRIBUTED),
  // Thanos: query reads the sidecar in each Prometheus pod and the store gateway over gRPC, behind
  // the query-frontend; Prometheus scrapes every Thanos component and the sidecars.
  ...f(P.thanosQueryFrontend, P.thanosQuery, 9090),
  ...f(P.thanosQuery, P.prometheus, 10901),
  ...f(P.thanosQuery, P.thanosStoreGateway, 10901),
  ...f(P.prometheus, P.prometheus, 10902),
  ...f(P.prometheus, P.thanosQuery, 9090),
  ...f(P.prometheus, P.thanosQueryFrontend, 9090),
  ...f(P.prometheus, P.thanosStoreGateway, 10902),
  ...f(P.prometheus, P.thanosCompactor, 10902),
];

const PROD_NAMESPACES = [
  "cert-manager",
  "elastic-system",
  "istio-ingress",
  "istio-system",
  "logging",
  "monitoring",
  "search",
  "tracing",
];

/** Each stack file's pods, required flows and owned namespaces. */
export const STACKS: Record<string, { pods: Pod[]; flows: RequiredFlow[]; namespaces: string[] }> = {
  dev: {
    pods: DEV_PODS,
    flows: DEV_FLOWS,
    namespaces: ["cert-manager", "istio-ingress", "istio-system", "logging", "monitoring", "tracing"],
  },
  prod: { pods: PROD_PODS, flows: PROD_FLOWS, namespaces: PROD_NAMESPACES },
  large: { pods: LARGE_PODS, flows: LARGE_FLOWS, namespaces: PROD_NAMESPACES },
};
