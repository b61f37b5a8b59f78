import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  GRAFANA_ADMIN_PASSWORD_KEY,
  GRAFANA_ADMIN_USER_KEY,
  prometheusStackValues,
  prometheusStackValuesArgs,
} from "./prometheus-stack-values";
import { STACK_LABELS, helmRelease } from "../kit";
import { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, type ThanosConfig } from "./thanos-config";
import { thanosObjstoreConfig, THANOS_OBJSTORE_KEY, THANOS_OBJSTORE_SECRET } from "./thanos-values";
import type { AlertingConfig } from "../alerting";
import type { DashboardsConfig, GrafanaConfig } from "../grafana";
import type { PlatformConfig } from "../kit";
import type { AlertmanagerConfig, PrometheusConfig } from "./config";
import { MONITORING_CHARTS } from "./charts";

export interface PrometheusStackArgs {
  /** The namespace of every release and of the admin Secret. */
  namespace: OwnedNamespace;
  /**
   * The stack config; this component reads cluster, charts, resources, prometheus, alertmanager,
   * grafana, dashboards, alerting and thanos.
   */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources"> & {
    prometheus: PrometheusConfig;
    alertmanager: AlertmanagerConfig;
    grafana: GrafanaConfig;
    dashboards: DashboardsConfig;
    alerting: AlertingConfig;
    thanos: ThanosConfig;
  };
  /**
   * The Thanos bucket's key pair from secret config, when thanos.objectStorage takes its
   * credentials from config. Defaults to none (an existing Secret, or no Thanos).
   */
  thanosS3Credentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
  /** The traces datasource's uid, for links from exemplars to traces. Defaults to none (no Jaeger). */
  tracesDatasourceUid?: string;
  /** Grafana's admin password. Defaults to a generated 32-character password. */
  grafanaAdminPassword?: pulumi.Output<string>;
  /**
   * The Istio mesh: Prometheus gets a sidecar for its workload certificate (and Grafana a full
   * sidecar when `grafanaSidecar`), and the release waits for istiod, whose injector must be up
   * before these pods start. Defaults to none.
   */
  mesh?: { istiod: pulumi.Resource; grafanaSidecar: boolean };
  /**
   * What other parts add to Grafana's values (GRAFANA_VALUES_SLOT), and the resources those
   * values name, which the release waits for. Defaults to none.
   */
  grafanaContributions?: { values: readonly unknown[]; after: readonly pulumi.Resource[] };
}

/** Release names, fixed: the charts name their objects and selectors after them. */
export const CRDS_RELEASE = "prometheus-operator-crds";
export const STACK_RELEASE = "kube-prometheus-stack";
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** The chart names Prometheus's service account `<release>-prometheus`: its mesh identity. */
export const PROMETHEUS_SERVICE_ACCOUNT = `${STACK_RELEASE}-prometheus`;
/** Grafana's pods as the Grafana subchart labels them, the port its container serves and its Service's. */
export const GRAFANA_POD = {
  selector: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": STACK_RELEASE },
  containerPort: 3000,
  servicePort: 80,
  metricsPath: "/metrics",
} as const;

/**
 * Prometheus, Alertmanager and Grafana: the prometheus-operator CRDs first, from their own
 * release (which upgrades them), then kube-prometheus-stack with its own copy of the CRDs off.
 */
export class PrometheusStack extends pulumi.ComponentResource {
  /** The release that installs the monitoring.coreos.com CRDs; custom resources depend on it. */
  readonly crds: k8s.helm.v3.Release;
  /** The kube-prometheus-stack release; it serves the PrometheusRule admission webhook. */
  readonly release: k8s.helm.v3.Release;
  /** The Secret Grafana reads its admin credentials from (never the password itself). */
  readonly grafanaAdminSecret: {
    name: string;
    namespace: pulumi.Output<string>;
    userKey: string;
    passwordKey: string;
  };
  readonly namespace: pulumi.Output<string>;
  /** In-cluster service names. */
  readonly services: { prometheus: string; alertmanager?: string; grafana?: string };
  /** With Thanos: the Secrets its sidecars and components read (bucket config, and the key pair when the program owns it). */
  readonly thanosSecrets: k8s.core.v1.Secret[] = [];

  constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:monitoring:PrometheusStack", name, {}, opts);
    const { config } = args;
    const namespace = args.namespace.resource.metadata.name;
    this.namespace = namespace;

    this.crds = helmRelease(
      CRDS_RELEASE,
      {
        chart: MONITORING_CHARTS.prometheusOperatorCrds,
        releaseName: CRDS_RELEASE,
        namespace,
        values: {},
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.namespace.ready] },
    );

    const password =
      args.grafanaAdminPassword ??
      pulumi.secret(
        new random.RandomPassword(
          `${name}-grafana-admin-password`,
          { length: 32, special: false },
          { parent: this },
        ).result,
      );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace, labels: { ...STACK_LABELS } },
        type: "Opaque",
        stringData: pulumi.secret(
          password.apply((p) => ({
            [GRAFANA_ADMIN_USER_KEY]: config.grafana.adminUser,
            [GRAFANA_ADMIN_PASSWORD_KEY]: p,
          })),
        ),
      },
      // A generated password is retained: Grafana keeps the admin password in its database on
      // first start, so a Secret generated afresh would no longer match a retained database.
      {
        parent: this,
        dependsOn: [...args.namespace.ready],
        retainOnDelete: args.grafanaAdminPassword === undefined && config.cluster.retainData,
      },
    );
    this.grafanaAdminSecret = {
      name: GRAFANA_ADMIN_SECRET,
      namespace,
      userKey: GRAFANA_ADMIN_USER_KEY,
      passwordKey: GRAFANA_ADMIN_PASSWORD_KEY,
    };

    // The bucket's objstore.yml (no credentials in it), and the key pair when it comes from secret
    // config: both before the release, whose Prometheus pods mount them in their Thanos sidecars.
    const thanos = config.thanos;
    if (thanos.enabled && thanos.objectStorage !== undefined) {
      const os = thanos.objectStorage;
      this.thanosSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-thanos-objstore`,
          {
            metadata: { name: THANOS_OBJSTORE_SECRET, namespace, labels: { ...STACK_LABELS } },
            type: "Opaque",
            stringData: { [THANOS_OBJSTORE_KEY]: thanosObjstoreConfig(os) },
          },
          { parent: this, dependsOn: [...args.namespace.ready] },
        ),
      );
      if (os.type === "s3" && os.credentials?.source === "config") {
        const creds = args.thanosS3Credentials;
        if (creds === undefined) {
          throw new Error(
            "thanos.objectStorage takes its credentials from secret config, but none were passed",
          );
        }
        this.thanosSecrets.push(
          new k8s.core.v1.Secret(
            `${name}-thanos-s3-credentials`,
            {
              metadata: { name: os.credentials.secretName, namespace, labels: { ...STACK_LABELS } },
              type: "Opaque",
              stringData: pulumi.secret(
                pulumi.all([creds.accessKeyId, creds.secretAccessKey]).apply(([id, key]) => ({
                  [AWS_ACCESS_KEY_ID]: id,
                  [AWS_SECRET_ACCESS_KEY]: key,
                })),
              ),
            },
            { parent: this, dependsOn: [...args.namespace.ready] },
          ),
        );
      }
    }

    this.release = helmRelease(
      STACK_RELEASE,
      {
        chart: MONITORING_CHARTS.kubePrometheusStack,
        releaseName: STACK_RELEASE,
        namespace,
        values: prometheusStackValues(
          prometheusStackValuesArgs(
            config,
            GRAFANA_ADMIN_SECRET,
            args.mesh,
            {
              namespace: args.namespace.name,
              ...(args.tracesDatasourceUid !== undefined
                ? { tracesDatasourceUid: args.tracesDatasourceUid }
                : {}),
            },
            args.grafanaContributions?.values,
          ),
        ),
        charts: config.charts,
        images: config.images,
      },
      {
        parent: this,
        dependsOn: [
          ...args.namespace.ready,
          this.crds,
          adminSecret,
          ...this.thanosSecrets,
          ...(args.grafanaContributions?.after ?? []),
          ...(args.mesh !== undefined ? [args.mesh.istiod] : []),
        ],
      },
    );

    this.services = {
      prometheus: `${STACK_RELEASE}-prometheus`,
      ...(config.alertmanager.enabled ? { alertmanager: `${STACK_RELEASE}-alertmanager` } : {}),
      ...(config.grafana.enabled ? { grafana: `${STACK_RELEASE}-grafana` } : {}),
    };
    this.registerOutputs({ namespace, services: this.services, grafanaAdminSecret: this.grafanaAdminSecret });
  }
}
