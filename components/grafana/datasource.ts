import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { GrafanaDatasource, STACK_LABELS } from "../kit";

export type { GrafanaDatasource };

/** The label Grafana's datasource sidecar watches (kube-prometheus-stack's default). */
export const DATASOURCE_LABEL = { grafana_datasource: "1" } as const;
/** The label Grafana's dashboard sidecar watches (kube-prometheus-stack's default). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/**
 * Where Grafana's datasource sidecar writes each key of every labelled ConfigMap and Secret (the
 * grafana chart's sidecar FOLDER). Grafana provisions only the `.yaml` files there; any other file
 * (a CA certificate) stays readable through `$__file{...}`.
 */
export const DATASOURCES_DIR = "/etc/grafana/provisioning/datasources";
/** The uid of the Prometheus datasource kube-prometheus-stack provisions itself. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

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
        ...(ds.basicAuthUser !== undefined ? { basicAuth: true, basicAuthUser: ds.basicAuthUser } : {}),
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

/**
 * A Secret that Grafana's sidecar loads as datasources, for datasources with credentials
 * (`secureJsonData`). The sidecar reads labelled Secrets as well as ConfigMaps (the chart's
 * `sidecar.datasources.resource` default is `both`), in Grafana's own namespace only. The whole
 * provisioning file is a secret Output, so it is encrypted in Pulumi's state and never printed.
 */
export function datasourceSecret(
  name: string,
  args: { namespace: pulumi.Input<string>; datasources: pulumi.Output<readonly GrafanaDatasource[]> },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: { name, namespace: args.namespace, labels: { ...STACK_LABELS, ...DATASOURCE_LABEL } },
      type: "Opaque",
      stringData: pulumi.secret(
        args.datasources.apply((datasources) => ({ [`${name}.yaml`]: datasourceProvisioning(datasources) })),
      ),
    },
    opts,
  );
}
