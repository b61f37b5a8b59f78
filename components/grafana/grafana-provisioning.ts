import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { CommunityDashboardFile, FOLDER_ANNOTATION } from "./community-dashboards";
import { DASHBOARD_LABEL, datasourceConfigMap } from "./datasource";
import { DashboardFile, projectDashboards } from "./dashboards";
import { StackDatasources } from "./datasources";
import { STACK_LABELS } from "../kit";
import type { AlertingConfig } from "../alerting";
import type { DashboardsConfig } from "./config";

export interface GrafanaProvisioningArgs {
  /** Grafana's namespace: the datasource sidecar reads ConfigMaps there only. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads dashboards, alertmanager and alerting thresholds. */
  config: { dashboards: DashboardsConfig; alertmanager: { enabled: boolean }; alerting: AlertingConfig };
  /** Which datasources exist (stackDatasources). */
  datasources: StackDatasources;
  /** The stack's own namespaces, which the health dashboard covers. */
  stackNamespaces: readonly string[];
  /** The community dashboards, fetched at preview time (communityDashboards). Defaults to none. */
  communityDashboards?: readonly CommunityDashboardFile[];
  /** What the datasources point at (the Loki and Jaeger releases): provisioned after them. Defaults to none. */
  after?: readonly pulumi.Resource[];
}

export const DATASOURCES_CONFIGMAP = "grafana-datasources";

/** A ConfigMap holding one dashboard, labelled for Grafana's sidecar and annotated with its folder. */
export function dashboardConfigMap(
  file: Pick<DashboardFile, "name" | "folder" | "json">,
  namespace: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    file.name,
    {
      metadata: {
        name: file.name,
        namespace,
        labels: { ...STACK_LABELS, ...DASHBOARD_LABEL },
        annotations: { [FOLDER_ANNOTATION]: file.folder },
      },
      data: { [`${file.name}.json`]: file.json },
    },
    opts,
  );
}

/**
 * Grafana as code: the datasources the enabled parts bring (Prometheus itself comes from
 * kube-prometheus-stack) and the project's dashboards, each a ConfigMap the Grafana sidecars load.
 */
export class GrafanaProvisioning extends pulumi.ComponentResource {
  readonly datasources?: k8s.core.v1.ConfigMap;
  readonly dashboards: k8s.core.v1.ConfigMap[];
  /** Each dashboard's uid, title and folder. */
  readonly dashboardIndex: { uid: string; title: string; folder: string }[];

  constructor(name: string, args: GrafanaProvisioningArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:grafana:GrafanaProvisioning", name, {}, opts);
    const namespace = args.namespace.resource.metadata.name;
    const childOpts = { parent: this, dependsOn: [...args.namespace.ready] };

    if (args.datasources.provisioned.length > 0) {
      this.datasources = datasourceConfigMap(
        DATASOURCES_CONFIGMAP,
        { namespace, datasources: args.datasources.provisioned },
        { parent: this, dependsOn: [...args.namespace.ready, ...(args.after ?? [])] },
      );
    }

    const { alerting } = args.config;
    const files = projectDashboards({
      dashboards: args.config.dashboards,
      datasources: args.datasources.all,
      stackNamespaces: args.stackNamespaces,
      alertmanagerEnabled: args.config.alertmanager.enabled,
      thresholds: {
        errorRatio: alerting.rules.highErrorRate.threshold,
        latencyMs: alerting.rules.highLatency.threshold,
      },
    });
    this.dashboards = [
      ...files.map((f) => dashboardConfigMap(f, namespace, childOpts)),
      // Shipped like the project's own: Grafana downloads nothing when its pod starts.
      ...(args.communityDashboards ?? []).map((f) => dashboardConfigMap(f, namespace, childOpts)),
    ];
    this.dashboardIndex = files.map((f) => ({
      uid: f.dashboard.uid,
      title: f.dashboard.title,
      folder: f.folder,
    }));

    this.registerOutputs({
      datasources: args.datasources.all.map((d) => d.uid),
      dashboards: this.dashboardIndex,
    });
  }
}
