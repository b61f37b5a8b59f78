import { STACK_LABELS } from "./labels";

export interface ServiceMonitorArgs<N> {
  /** The ServiceMonitor's name. */
  name: string;
  /** Its namespace: the namespace of the Service it selects (a monitor without a namespaceSelector looks only there). */
  namespace: N;
  /** Labels of the Service to scrape. */
  selector: Readonly<Record<string, string>>;
  /** The name of the Service port that serves `/metrics`. */
  port: string;
  /** Services to leave out among those the labels select (headless twins, proxies). Defaults to none. */
  exclude?: readonly { key: string; values: readonly string[] }[];
}

/**
 * A prometheus-operator ServiceMonitor (monitoring.coreos.com/v1) as a plain object, so that it
 * can be checked against the CRD's schema. Prometheus selects monitors from every namespace
 * (the stack sets the chart's *SelectorNilUsesHelmValues to false), so no release label is needed.
 */
export function serviceMonitor<N>(args: ServiceMonitorArgs<N>): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: N; labels: Record<string, string> };
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: args.name, namespace: args.namespace, labels: { ...STACK_LABELS } },
    spec: {
      selector: {
        matchLabels: { ...args.selector },
        ...(args.exclude !== undefined && args.exclude.length > 0
          ? {
              matchExpressions: args.exclude.map((e) => ({
                key: e.key,
                operator: "NotIn",
                values: [...e.values],
              })),
            }
          : {}),
      },
      endpoints: [{ port: args.port, path: "/metrics", scheme: "http" }],
    },
  };
}
