import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dashboardConfigMap } from "../grafana";
import type { CustomResourceObject, OwnedNamespace } from "../kit";
import type { SignalsPlan } from "./plan";

export interface SignalsArgs {
  /** Prometheus's and Grafana's namespace: the dashboards, rules and monitors go there. */
  namespace: OwnedNamespace;
  /** What to ship (signalsPlan). */
  plan: SignalsPlan;
  /** The release that installs the monitoring.coreos.com CRDs. */
  crds: pulumi.Resource;
  /** kube-prometheus-stack: its operator serves the admission webhook for PrometheusRules. */
  release: pulumi.Resource;
}

/** What an operator sees of the signals: names only. */
export interface SignalsSummary {
  dashboards: { uid: string; title: string; folder: string }[];
  rules: string[];
  monitors: string[];
}

/**
 * Your own signals: dashboard files as ConfigMaps in their Grafana folders, rule files and SLOs
 * as PrometheusRules, scrape targets as ServiceMonitors and PodMonitors.
 */
export class Signals extends pulumi.ComponentResource {
  readonly dashboards: k8s.core.v1.ConfigMap[];
  readonly rules: k8s.apiextensions.CustomResource[];
  readonly monitors: k8s.apiextensions.CustomResource[];
  readonly summary: SignalsSummary;

  constructor(name: string, args: SignalsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:signals:Signals", name, {}, opts);
    const namespace = args.namespace.resource.metadata.name;
    const { plan } = args;
    this.dashboards = plan.dashboards.map((d) =>
      dashboardConfigMap(d, namespace, { parent: this, dependsOn: [...args.namespace.ready] }),
    );
    // CRD first, then the operator whose webhook admits the object.
    const crOpts = { parent: this, dependsOn: [args.crds, args.release] };
    const custom = (o: CustomResourceObject) =>
      new k8s.apiextensions.CustomResource(
        o.metadata.name,
        { ...o, metadata: { ...o.metadata, namespace } },
        crOpts,
      );
    this.rules = plan.rules.map(custom);
    this.monitors = plan.monitors.map(custom);
    this.summary = {
      dashboards: plan.dashboards.map((d) => ({ uid: d.uid, title: d.title, folder: d.folder })),
      rules: plan.rules.map((r) => r.metadata.name),
      monitors: plan.monitors.map((m) => `${m.kind}/${m.metadata.name}`),
    };
    this.registerOutputs({ summary: this.summary });
  }
}
