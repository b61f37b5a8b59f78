import { CustomResourceObject, ownedMetadata } from "./custom-resources";

const MONITORING = "monitoring.coreos.com/v1";

/** istiod's own metrics on its Service's `http-monitoring` port (15014); istiod runs without a sidecar. */
export function istiodServiceMonitor(namespace: string): CustomResourceObject {
  return {
    apiVersion: MONITORING,
    kind: "ServiceMonitor",
    metadata: ownedMetadata("istiod", namespace),
    spec: {
      jobLabel: "istio",
      targetLabels: ["app"],
      selector: { matchLabels: { istio: "pilot" } },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: "http-monitoring", path: "/metrics" }],
    },
  };
}

/**
 * Every sidecar's and gateway's metrics, as Istio's prometheus-operator example scrapes them: from
 * the `istio-proxy` container of every pod in every namespace, on the port the injector writes into
 * `prometheus.io/port` (15020, the merged application + Envoy endpoint). The sidecar does not
 * intercept that port, so it answers plain HTTP under STRICT mTLS too. A pod labelled
 * `istio-prometheus-ignore` is left out.
 */
export function envoyPodMonitor(namespace: string): CustomResourceObject {
  return {
    apiVersion: MONITORING,
    kind: "PodMonitor",
    metadata: ownedMetadata("envoy-stats", namespace),
    spec: {
      selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
      namespaceSelector: { any: true },
      jobLabel: "envoy-stats",
      podMetricsEndpoints: [
        {
          path: "/stats/prometheus",
          relabelings: [
            { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" },
            {
              action: "keep",
              sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"],
            },
            {
              action: "replace",
              sourceLabels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
              regex: "([^:]+)(?::\\d+)?;(\\d+)",
              replacement: "${1}:${2}",
              targetLabel: "__address__",
            },
            { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace" },
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod" },
          ],
        },
      ],
    },
  };
}
