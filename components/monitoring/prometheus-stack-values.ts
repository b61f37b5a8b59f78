import { AlertingConfig, GLOBAL_CONFIG_LABEL, routingEnabled, ROUTING_CONFIG_NAME } from "../alerting";
import {
  DashboardsConfig,
  GrafanaConfig,
  PROMETHEUS_DATASOURCE_UID,
  sidecarDashboardValues,
} from "../grafana";
import {
  ClusterConfig,
  ContainerId,
  ContainerResources,
  ContainerSlot,
  goDuration,
  StorageConfig,
  toK8s,
  mergeContributedValues,
} from "../kit";
import { AlertmanagerConfig, PrometheusConfig } from "./config";
import type { ThanosConfig } from "./thanos-config";
import { prometheusThanosValues, thanosQueryUrl } from "./thanos-values";
import type { PlatformConfig } from "../kit";

/**
 * Where Prometheus reads the Istio workload certificate that its sidecar writes (Istio's
 * OUTPUT_CERTS pattern): the sidecar only fetches and renews the certificate, it intercepts nothing.
 */
export const ISTIO_CERTS_DIR = "/etc/prom-certs";
/** Where the sidecar writes it, in the same in-memory volume. */
const ISTIO_OUTPUT_CERTS_DIR = "/etc/istio-output-certs";
const ISTIO_CERTS_VOLUME = "istio-certs";

/**
 * The `tlsConfig` a ServiceMonitor or PodMonitor endpoint (with `scheme: https`) needs to scrape a
 * meshed workload under STRICT mTLS: Prometheus presents its own Istio certificate, so the
 * target's sidecar accepts it as the Prometheus service account. Only under STRICT: a PERMISSIVE
 * sidecar terminates mTLS only for clients that offer Istio's ALPN, which Prometheus does not, and
 * passes its TLS through to the plain-HTTP port (istio/istio#38720); scrape plain HTTP there. Istio certificates name SPIFFE
 * identities, not host names, so Prometheus cannot check the server's name and skips that check.
 * Monitors may name certificate files because the chart leaves the operator's
 * `arbitraryFSAccessThroughSMs.deny` at false.
 */
export const ISTIO_SCRAPE_TLS = {
  caFile: `${ISTIO_CERTS_DIR}/root-cert.pem`,
  certFile: `${ISTIO_CERTS_DIR}/cert-chain.pem`,
  keyFile: `${ISTIO_CERTS_DIR}/key.pem`,
  // Kept on purpose (issue 15): Prometheus verifies DNS names, and an Istio certificate carries
  // only a SPIFFE identity (spiffe://cluster.local/ns/<ns>/sa/<sa>), so verification would fail on
  // every meshed target. The target's sidecar still verifies Prometheus' certificate, and the
  // AuthorizationPolicy admits only Prometheus' identity.
  insecureSkipVerify: true,
} as const;

/** What the stack's pods get from the Istio mesh. */
export interface PrometheusMeshArgs {
  /** Requests and memory limit of each Istio sidecar this chart's pods get. */
  proxy: ContainerResources;
  /** Give Grafana a full sidecar, so the ingress gateway reaches it over mTLS and policies apply to it. */
  grafanaSidecar: boolean;
}

/** The pod annotations that size an injected Istio sidecar (no CPU limit, as everywhere in the stack). */
export function istioSidecarSizing(r: ContainerResources): Record<string, string> {
  return {
    "sidecar.istio.io/proxyCPU": r.cpu,
    "sidecar.istio.io/proxyMemory": r.memory,
    "sidecar.istio.io/proxyMemoryLimit": r.memoryLimit,
  };
}

/** A prometheusSpec fragment with more labels on the pods (merged into its podMetadata). */
function withPodLabels(
  spec: Record<string, unknown>,
  labels: Record<string, string>,
): Record<string, unknown> {
  if (Object.keys(labels).length === 0) return spec;
  const meta = (spec["podMetadata"] ?? {}) as { labels?: Record<string, string> };
  return { ...spec, podMetadata: { ...meta, labels: { ...(meta.labels ?? {}), ...labels } } };
}

/**
 * Prometheus's pod gets a sidecar that intercepts no traffic and writes its workload certificate
 * into a shared in-memory volume, which Prometheus mounts (Istio's documented pattern for scraping
 * under STRICT mTLS).
 */
function prometheusMeshSpec(mesh: PrometheusMeshArgs): Record<string, unknown> {
  return {
    podMetadata: {
      labels: {
        // Injection per pod: the monitoring namespace itself is not meshed.
        "sidecar.istio.io/inject": "true",
        // Prometheus's inbound is not intercepted, so meshed clients (Grafana) must call it in plaintext.
        "security.istio.io/tlsMode": "disabled",
      },
      annotations: {
        ...istioSidecarSizing(mesh.proxy),
        "traffic.sidecar.istio.io/includeInboundPorts": "",
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "",
        "proxy.istio.io/config": `proxyMetadata:\n  OUTPUT_CERTS: ${ISTIO_OUTPUT_CERTS_DIR}\n`,
        "sidecar.istio.io/userVolumeMount": JSON.stringify([
          { name: ISTIO_CERTS_VOLUME, mountPath: ISTIO_OUTPUT_CERTS_DIR },
        ]),
      },
    },
    volumes: [{ name: ISTIO_CERTS_VOLUME, emptyDir: { medium: "Memory" } }],
    volumeMounts: [{ name: ISTIO_CERTS_VOLUME, mountPath: ISTIO_CERTS_DIR, readOnly: true }],
  };
}

/** Keys of the admin Secret, the names the Grafana chart expects by default. */
export const GRAFANA_ADMIN_USER_KEY = "admin-user";
export const GRAFANA_ADMIN_PASSWORD_KEY = "admin-password";

export interface PrometheusStackValuesArgs {
  cluster: ClusterConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  prometheus: PrometheusConfig;
  alertmanager: AlertmanagerConfig;
  grafana: GrafanaConfig;
  /** Folders and community dashboards. */
  dashboards: DashboardsConfig;
  /** Whether the program's AlertmanagerConfig becomes Alertmanager's configuration. */
  alerting: AlertingConfig;
  /** The Secret (in the release's namespace) that holds Grafana's admin user and password. */
  grafanaAdminSecretName: string;
  /** Istio sidecars for Prometheus (its certificate) and Grafana. Defaults to none (no mesh). */
  mesh?: PrometheusMeshArgs;
  /**
   * Long-term metrics: the Thanos sidecar in every Prometheus replica, and Grafana's Prometheus
   * datasource (same uid) on the query-frontend in `namespace`. Defaults to none (no Thanos).
   */
  thanos?: { config: ThanosConfig; namespace: string };
  /**
   * The uid of the traces datasource (Jaeger): an exemplar's trace id in a Prometheus panel then
   * opens its trace, the metrics-to-traces link. Defaults to none (no exemplar link).
   */
  tracesDatasourceUid?: string;
  /**
   * What other parts add to Grafana's values (GRAFANA_VALUES_SLOT), merged in: they only add
   * keys. Defaults to none.
   */
  grafanaContributions?: readonly unknown[];
}

/**
 * The slot of Grafana's chart values: a part adds to them by contributing an object of values
 * here (Part.contributions), such as sign-on's generic OAuth.
 */
export const GRAFANA_VALUES_SLOT = "monitoring/grafana-values";

/** The label exemplars carry their trace id in (the OpenTelemetry SDKs' and Prometheus clients' name). */
export const EXEMPLAR_TRACE_ID_LABEL = "trace_id";

/**
 * The values builder's arguments from the stack config: the one place that picks its slices.
 * With `grafanaSidecar` given, Prometheus and Grafana join the mesh (sidecars sized as every
 * Istio proxy); without it, no mesh. Defaults to no mesh.
 */
export function prometheusStackValuesArgs(
  config: Pick<PlatformConfig, "cluster" | "resources"> & {
    prometheus: PrometheusConfig;
    alertmanager: AlertmanagerConfig;
    grafana: GrafanaConfig;
    dashboards: DashboardsConfig;
    alerting: AlertingConfig;
    thanos?: ThanosConfig;
  },
  grafanaAdminSecretName: string,
  mesh?: { grafanaSidecar: boolean },
  links: { namespace?: string; tracesDatasourceUid?: string } = {},
  grafanaContributions: readonly unknown[] = [],
): PrometheusStackValuesArgs {
  return {
    cluster: config.cluster,
    resources: config.resources,
    prometheus: config.prometheus,
    alertmanager: config.alertmanager,
    grafana: config.grafana,
    dashboards: config.dashboards,
    alerting: config.alerting,
    grafanaAdminSecretName,
    ...(mesh !== undefined
      ? { mesh: { proxy: config.resources.istioProxy, grafanaSidecar: mesh.grafanaSidecar } }
      : {}),
    ...(config.thanos?.enabled === true
      ? { thanos: { config: config.thanos, namespace: links.namespace ?? "monitoring" } }
      : {}),
    ...(links.tracesDatasourceUid !== undefined ? { tracesDatasourceUid: links.tracesDatasourceUid } : {}),
    ...(grafanaContributions.length > 0 ? { grafanaContributions } : {}),
  };
}

/** A ReadWriteOnce claim template in the shape the operator's storage specs take. */
export function claimTemplate(
  storage: StorageConfig,
  storageClass: string | undefined,
): Record<string, unknown> {
  return {
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: storage.size } },
    },
  };
}

/** Values for kube-prometheus-stack (keys checked in ../shared/docs/charts.md). */
export function prometheusStackValues(args: PrometheusStackValuesArgs): Record<string, unknown> {
  const { cluster, resources: res, prometheus, alertmanager, mesh } = args;
  const reloader = toK8s(res.configReloader);
  const routed = routingEnabled({ prometheus, alertmanager, alerting: args.alerting });
  const thanos =
    args.thanos !== undefined
      ? prometheusThanosValues({ thanos: args.thanos.config, resources: res })
      : undefined;
  return {
    // The CRDs come from the prometheus-operator-crds release, which upgrades them; this chart's
    // copy sits in Helm's never-upgraded crds/ folder.
    crds: { enabled: false },
    prometheusOperator: {
      resources: toK8s(res.prometheusOperator),
      admissionWebhooks: { patch: { resources: toK8s(res.prometheusAdmissionJobs) } },
      // The operator turns these into flags for every config-reloader sidecar it injects.
      prometheusConfigReloader: { resources: { requests: reloader.requests, limits: reloader.limits } },
    },
    prometheus: {
      podDisruptionBudget: prometheus.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: prometheus.retention,
        ...(prometheus.retentionSize !== undefined ? { retentionSize: prometheus.retentionSize } : {}),
        scrapeInterval: prometheus.scrapeInterval,
        resources: toK8s(res.prometheus),
        // Select monitors and rules from every namespace, not only those labelled with this release.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        ...(prometheus.storage !== undefined
          ? { storageSpec: { volumeClaimTemplate: claimTemplate(prometheus.storage, cluster.storageClass) } }
          : {}),
        ...withPodLabels(mesh !== undefined ? prometheusMeshSpec(mesh) : {}, thanos?.podLabels ?? {}),
        ...(thanos?.prometheusSpec ?? {}),
      },
      ...(thanos?.prometheus ?? {}),
    },
    kubeEtcd: { enabled: prometheus.scrapeControlPlane },
    kubeScheduler: { enabled: prometheus.scrapeControlPlane },
    kubeControllerManager: { enabled: prometheus.scrapeControlPlane },
    kubeProxy: { enabled: prometheus.scrapeKubeProxy },
    alertmanager: {
      enabled: alertmanager.enabled,
      podDisruptionBudget:
        alertmanager.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
      alertmanagerSpec: {
        replicas: alertmanager.replicas,
        // The Alertmanager CRD's pattern takes h, m, s and ms only: 5d goes as 120h.
        retention: goDuration(alertmanager.retention),
        resources: toK8s(res.alertmanager),
        ...(alertmanager.storage !== undefined
          ? { storage: { volumeClaimTemplate: claimTemplate(alertmanager.storage, cluster.storageClass) } }
          : {}),
        ...(routed
          ? {
              // The program's AlertmanagerConfig is the whole configuration (routes, receivers,
              // inhibition); the chart's own `alertmanager.config` is then unused.
              alertmanagerConfiguration: { name: ROUTING_CONFIG_NAME },
              // Other teams' namespaced AlertmanagerConfigs still merge in, but not that one again.
              alertmanagerConfigSelector: {
                matchExpressions: [
                  { key: GLOBAL_CONFIG_LABEL.key, operator: "NotIn", values: [GLOBAL_CONFIG_LABEL.value] },
                ],
              },
            }
          : {}),
      },
    },
    grafana: mergeContributedValues(
      GRAFANA_VALUES_SLOT,
      grafanaValues(args),
      args.grafanaContributions ?? [],
    ),
    "kube-state-metrics": { resources: toK8s(res.kubeStateMetrics) },
    "prometheus-node-exporter": { resources: toK8s(res.nodeExporter) },
  };
}

/** Grafana's values as the monitoring part builds them, before other parts' contributions. */
function grafanaValues(args: PrometheusStackValuesArgs): Record<string, unknown> {
  const { cluster, resources: res, grafana, dashboards, mesh } = args;
  return {
    enabled: grafana.enabled,
    replicas: grafana.replicas,
    resources: toK8s(res.grafana),
    // The password lives only in a Secret the program owns; no plain value reaches the chart.
    admin: {
      existingSecret: args.grafanaAdminSecretName,
      userKey: GRAFANA_ADMIN_USER_KEY,
      passwordKey: GRAFANA_ADMIN_PASSWORD_KEY,
    },
    sidecar: {
      // One key sizes both the dashboard and the datasource sidecar.
      resources: toK8s(res.grafanaSidecar),
      dashboards: sidecarDashboardValues(dashboards),
      datasources: {
        uid: PROMETHEUS_DATASOURCE_UID,
        // With Thanos, the same datasource (same uid, so dashboards keep working) reads every
        // replica, deduplicated, and the bucket's history through the query-frontend.
        ...(args.thanos !== undefined
          ? { url: thanosQueryUrl(args.thanos.namespace), extraJsonData: { prometheusType: "Thanos" } }
          : {}),
        ...(args.tracesDatasourceUid !== undefined
          ? {
              exemplarTraceIdDestinations: {
                datasourceUid: args.tracesDatasourceUid,
                traceIdLabelName: EXEMPLAR_TRACE_ID_LABEL,
                urlDisplayLabel: "Open trace",
              },
            }
          : {}),
        // The program provisions Alertmanager's datasource itself, only when Alertmanager runs.
        alertmanager: { enabled: false },
      },
    },
    // The chart's `helm test` pod would be one more unsized container; the program tests itself.
    testFramework: { enabled: false },
    persistence:
      grafana.storage !== undefined
        ? {
            enabled: true,
            size: grafana.storage.size,
            ...(cluster.storageClass !== undefined ? { storageClassName: cluster.storageClass } : {}),
          }
        : { enabled: false },
    // Runs only with persistence: it fixes the volume's ownership before Grafana starts.
    ...(grafana.storage !== undefined ? { initChownData: { resources: toK8s(res.grafanaInit) } } : {}),
    ...(mesh?.grafanaSidecar === true
      ? {
          podLabels: { "sidecar.istio.io/inject": "true" },
          podAnnotations: istioSidecarSizing(mesh.proxy),
          // Prometheus scrapes it with its certificate; the mesh part makes Grafana's workload
          // STRICT in every mesh mode (mesh/policies.ts), the only mode that accepts that TLS.
          serviceMonitor: { scheme: "https", tlsConfig: { ...ISTIO_SCRAPE_TLS } },
        }
      : {}),
  };
}

/** Every container kube-prometheus-stack runs with these values, and where it is sized. */
export const PROMETHEUS_STACK_CONTAINERS: readonly ContainerSlot[] = [
  { container: "prometheus-operator", resources: "prometheusOperator.resources" },
  {
    container: "admission-webhook create/patch jobs",
    resources: "prometheusOperator.admissionWebhooks.patch.resources",
    runs: "hook",
  },
  {
    container: "prometheus",
    resources: "prometheus.prometheusSpec.resources",
    replicas: "prometheus.prometheusSpec.replicas",
  },
  {
    container: "prometheus config-reloader",
    resources: "prometheusOperator.prometheusConfigReloader.resources",
    replicas: "prometheus.prometheusSpec.replicas",
  },
  {
    container: "alertmanager",
    resources: "alertmanager.alertmanagerSpec.resources",
    replicas: "alertmanager.alertmanagerSpec.replicas",
    enabledWhen: ["alertmanager.enabled"],
  },
  {
    container: "alertmanager config-reloader",
    resources: "prometheusOperator.prometheusConfigReloader.resources",
    replicas: "alertmanager.alertmanagerSpec.replicas",
    enabledWhen: ["alertmanager.enabled"],
  },
  {
    container: "grafana",
    resources: "grafana.resources",
    replicas: "grafana.replicas",
    enabledWhen: ["grafana.enabled"],
  },
  {
    container: "grafana sidecars (dashboards, datasources)",
    resources: "grafana.sidecar.resources",
    replicas: "grafana.replicas",
    perReplica: 2,
    enabledWhen: ["grafana.enabled"],
  },
  {
    container: "grafana init-chown-data",
    resources: "grafana.initChownData.resources",
    replicas: "grafana.replicas",
    enabledWhen: ["grafana.enabled", "grafana.persistence.enabled"],
    runs: "init",
  },
  {
    container: "prometheus thanos-sidecar",
    resources: "prometheus.prometheusSpec.thanos.resources",
    replicas: "prometheus.prometheusSpec.replicas",
    enabledWhen: ["prometheus.prometheusSpec.thanos"],
  },
  {
    container: "prometheus istio-proxy (certificate only)",
    resources: "prometheus.prometheusSpec.podMetadata.annotations",
    sizedBy: "istio-annotations",
    replicas: "prometheus.prometheusSpec.replicas",
  },
  {
    container: "grafana istio-proxy",
    resources: "grafana.podAnnotations",
    sizedBy: "istio-annotations",
    replicas: "grafana.replicas",
    enabledWhen: ["grafana.enabled"],
  },
  { container: "kube-state-metrics", resources: "kube-state-metrics.resources" },
  { container: "node-exporter", resources: "prometheus-node-exporter.resources", runs: "node" },
];
