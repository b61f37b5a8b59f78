import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { GrafanaDatasource, LOKI_DATASOURCE_UID } from "../grafana";
import { lokiValues } from "./loki-values";
import { CustomResourceObject, STACK_LABELS, helmRelease, serviceMonitor } from "../kit";
import {
  LOKI_S3_CREDENTIALS_SECRET,
  LokiConfig,
  S3_ACCESS_KEY_ID_KEY,
  S3_SECRET_ACCESS_KEY_KEY,
} from "./config";
import type { PlatformConfig } from "../kit";
import { LOGGING_CHARTS } from "./charts";

/** Release name, fixed: the chart names its objects (e.g. the `loki-gateway` Service) after it. */
export const LOKI_RELEASE = "loki";
export const LOKI_GATEWAY_SERVICE = `${LOKI_RELEASE}-gateway`;
/** The Loki datasource's fixed uid, for dashboards and links from other datasources (traces). */
export { LOKI_DATASOURCE_UID };
/** The header that carries the tenant id when Loki runs with auth_enabled. */
export const TENANT_HEADER = "X-Scope-OrgID";

/** The gateway's in-cluster base URL; the `.svc` name resolves under any cluster domain. */
export function lokiGatewayUrl(namespace: string): string {
  return `http://${LOKI_GATEWAY_SERVICE}.${namespace}.svc`;
}

/** The URL collectors push to. */
export function lokiPushUrl(namespace: string): string {
  return `${lokiGatewayUrl(namespace)}/loki/api/v1/push`;
}

/** Grafana's Loki datasource; with auth_enabled it queries as the configured tenant. */
export function lokiDatasource(
  namespace: string,
  loki: Pick<LokiConfig, "authEnabled" | "tenant">,
  derivedFields: readonly Record<string, unknown>[] = [],
): GrafanaDatasource {
  return {
    name: "Loki",
    type: "loki",
    uid: LOKI_DATASOURCE_UID,
    url: lokiGatewayUrl(namespace),
    jsonData: {
      maxLines: 1000,
      ...(loki.authEnabled ? { httpHeaderName1: TENANT_HEADER } : {}),
      ...(derivedFields.length > 0 ? { derivedFields } : {}),
    },
    ...(loki.authEnabled ? { secureJsonData: { httpHeaderValue1: loki.tenant } } : {}),
  };
}

export interface LokiArgs {
  /** The namespace of the release and of the S3 credentials Secret. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads cluster, charts, resources and loki. */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources"> & { loki: LokiConfig };
  /**
   * The S3 key pair from secret config, needed when loki.objectStorage takes its credentials from
   * config. Defaults to none (an existing Secret, or no bucket).
   */
  s3Credentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
  /** The prometheus-operator CRDs release; with it, a ServiceMonitor scrapes Loki. Defaults to none. */
  monitoringCrds?: k8s.helm.v3.Release;
}

/**
 * Prometheus scrapes every Loki target's `http-metrics` port, but not the chart's headless twins
 * (labelled `prometheus.io/service-monitor: "false"`) nor the nginx gateway, which serves no
 * /metrics: a target there would be down forever and fire the stack's component-down alert.
 */
export function lokiServiceMonitor(namespace: string): CustomResourceObject {
  return serviceMonitor({
    name: LOKI_RELEASE,
    namespace,
    selector: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": LOKI_RELEASE },
    port: "http-metrics",
    exclude: [
      { key: "prometheus.io/service-monitor", values: ["false"] },
      { key: "app.kubernetes.io/component", values: ["gateway"] },
    ],
  });
}

/**
 * Loki from its chart, Monolithic or SimpleScalable as the stack config says, with the
 * gateway in front, and the S3 key pair (when it comes from config) in a Secret the pods read.
 * (Its Grafana datasource is provisioned with the others, as the stack model lists them: components/core/model.ts.)
 */
export class Loki extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  /** The Secret the program made from secret config; absent with an existing Secret or no bucket. */
  readonly s3CredentialsSecret?: k8s.core.v1.Secret;
  readonly gatewayUrl: string;
  readonly pushUrl: string;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:logging:Loki", name, {}, opts);
    const { loki } = args.config;
    const namespace = args.namespace.resource.metadata.name;

    const waitFor: pulumi.Resource[] = [...args.namespace.ready];
    const storage = loki.objectStorage;
    if (storage?.type === "s3" && storage.credentials?.source === "config") {
      const creds = args.s3Credentials;
      if (creds === undefined) {
        throw new Error("loki.objectStorage takes its credentials from secret config, but none were passed");
      }
      this.s3CredentialsSecret = new k8s.core.v1.Secret(
        `${name}-s3-credentials`,
        {
          metadata: { name: LOKI_S3_CREDENTIALS_SECRET, namespace, labels: { ...STACK_LABELS } },
          type: "Opaque",
          stringData: pulumi.secret(
            pulumi.all([creds.accessKeyId, creds.secretAccessKey]).apply(([id, key]) => ({
              [S3_ACCESS_KEY_ID_KEY]: id,
              [S3_SECRET_ACCESS_KEY_KEY]: key,
            })),
          ),
        },
        { parent: this, dependsOn: [...args.namespace.ready] },
      );
      waitFor.push(this.s3CredentialsSecret);
    }

    this.release = helmRelease(
      LOKI_RELEASE,
      {
        chart: LOGGING_CHARTS.loki,
        releaseName: LOKI_RELEASE,
        namespace,
        values: lokiValues({ loki, cluster: args.config.cluster, resources: args.config.resources }),
        charts: args.config.charts,
        images: args.config.images,
      },
      { parent: this, dependsOn: waitFor },
    );

    this.gatewayUrl = lokiGatewayUrl(args.namespace.name);
    this.pushUrl = lokiPushUrl(args.namespace.name);

    if (args.monitoringCrds !== undefined) {
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        lokiServiceMonitor(args.namespace.name),
        {
          parent: this,
          dependsOn: [...args.namespace.ready, args.monitoringCrds],
        },
      );
    }

    this.registerOutputs({ release: this.release.name, gatewayUrl: this.gatewayUrl, pushUrl: this.pushUrl });
  }
}
