import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { STACK_LABELS } from "../core/namespaces";

/** The label Grafana's datasource sidecar watches (kube-prometheus-stack's default). */
export const DATASOURCE_LABEL = { grafana_datasource: "1" } as const;
/** The label Grafana's dashboard sidecar watches (kube-prometheus-stack's default). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The uid of the Prometheus datasource kube-prometheus-stack provisions itself. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** One Grafana datasource, as Grafana's provisioning files describe it. */
export interface GrafanaDatasource {
  /** The name shown in Grafana. */
  name: string;
  /** The plugin id, e.g. `loki`, `jaeger`, `prometheus`, `elasticsearch`. */
  type: string;
  /** A fixed uid, so dashboards and links between datasources can name it. */
  uid: string;
  /** The in-cluster URL Grafana's backend queries. */
  url: string;
  /** Plugin settings (derived fields, trace-to-logs links, ...). Defaults to none. */
  jsonData?: Record<string, unknown>;
  /**
   * Values Grafana stores encrypted and never shows, e.g. `httpHeaderValue1` for a custom header
   * such as Loki's X-Scope-OrgID (Grafana reads header values only from here). Defaults to none.
   */
  secureJsonData?: Record<string, string>;
  /** Make it Grafana's default datasource. Defaults to false. */
  isDefault?: boolean;
}

/** A provisioning file for the given datasources, in a stable order and layout. */
export function datasourceProvisioning(datasources: readonly GrafanaDatasource[]): string {
  return stringify(
    {
      apiVersion: 1,
      datasources: datasources.map((ds) => ({
        name: ds.name,
        type: ds.type,
        uid: ds.uid,
        access: "proxy",
        url: ds.url,
        isDefault: ds.isDefault ?? false,
        editable: false,
        ...(ds.jsonData !== undefined ? { jsonData: ds.jsonData } : {}),
        ...(ds.secureJsonData !== undefined ? { secureJsonData: ds.secureJsonData } : {}),
      })),
    },
    { sortMapEntries: false },
  );
}

/**
 * A ConfigMap that Grafana's sidecar loads as datasources. It must live in Grafana's own
 * namespace: the chart's datasource sidecar searches nowhere else.
 */
export function datasourceConfigMap(
  name: string,
  args: { namespace: pulumi.Input<string>; datasources: readonly GrafanaDatasource[] },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: { name, namespace: args.namespace, labels: { ...STACK_LABELS, ...DATASOURCE_LABEL } },
      data: { [`${name}.yaml`]: datasourceProvisioning(args.datasources) },
    },
    opts,
  );
}
