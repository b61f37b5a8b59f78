import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { alertRuleGroups, prometheusRuleSpec } from "./rules";
import {
  alertmanagerConfigSpec,
  GLOBAL_CONFIG_LABEL,
  RECEIVER_SECRET_NAME,
  receiversWithSecrets,
  routingEnabled,
  ROUTING_CONFIG_NAME,
} from "./routing";
import { STACK_LABELS } from "../kit";
import type { AlertingConfig } from "./config";

export interface AlertingArgs {
  /** The namespace of Prometheus and Alertmanager; the rules, Secret and routing live there. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads prometheus, alertmanager and alerting. */
  config: { prometheus: { enabled: boolean }; alertmanager: { enabled: boolean }; alerting: AlertingConfig };
  /** The stack's own namespaces, which the stack's health rules watch. */
  stackNamespaces: readonly string[];
  /** The release that installs the monitoring.coreos.com CRDs. */
  crds: pulumi.Resource;
  /** kube-prometheus-stack: its operator serves the admission webhook for rules and AlertmanagerConfigs. */
  release: pulumi.Resource;
  /** The receivers' secrets by receiver name (secret config `alertReceiverSecrets`). Defaults to none. */
  receiverSecrets?: pulumi.Output<Record<string, string>>;
}

/** What an operator needs to know about alerting: never a secret. */
export interface AlertingSummary {
  rules: string[];
  /** Where alerts go when no route takes them. */
  defaultReceiver: string | null;
  receivers: { name: string; type: string }[];
}

/**
 * Alerting as code: the stack's alert rules as PrometheusRules and, when Alertmanager runs, its
 * whole routing as one AlertmanagerConfig whose receivers read their credentials from a Secret.
 */
export class Alerting extends pulumi.ComponentResource {
  readonly rules: k8s.apiextensions.CustomResource[];
  readonly receiverSecret?: k8s.core.v1.Secret;
  readonly routing?: k8s.apiextensions.CustomResource;
  readonly summary: AlertingSummary;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:alerting:Alerting", name, {}, opts);
    const { alerting, alertmanager } = args.config;
    const namespace = args.namespace.resource.metadata.name;
    // CRD first, then the operator whose webhook admits the object.
    const crOpts = { parent: this, dependsOn: [args.crds, args.release] };

    const groups = alertRuleGroups({
      rules: alerting.rules,
      runbookBaseUrl: alerting.runbookBaseUrl,
      stackNamespaces: args.stackNamespaces,
      alertmanagerEnabled: alertmanager.enabled,
    });
    this.rules = groups.map(
      (g) =>
        new k8s.apiextensions.CustomResource(
          g.resource,
          {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: g.resource, namespace, labels: { ...STACK_LABELS } },
            spec: prometheusRuleSpec(g),
          },
          crOpts,
        ),
    );

    const routed = routingEnabled(args.config);
    if (routed) {
      const needed = receiversWithSecrets(alerting);
      const routingDeps: pulumi.Resource[] = [args.crds, args.release];
      if (needed.length > 0) {
        const secrets = args.receiverSecrets;
        if (secrets === undefined) {
          throw new Error(
            `receivers ${needed.join(", ")} need secrets, but no alertReceiverSecrets were given`,
          );
        }
        this.receiverSecret = new k8s.core.v1.Secret(
          RECEIVER_SECRET_NAME,
          {
            metadata: { name: RECEIVER_SECRET_NAME, namespace, labels: { ...STACK_LABELS } },
            type: "Opaque",
            stringData: pulumi.secret(
              secrets.apply((all) =>
                Object.fromEntries(
                  needed.map((n) => {
                    const value = all[n];
                    // parseStackConfig already refuses this; a programmatic caller gets the same check.
                    if (value === undefined) throw new Error(`alertReceiverSecrets has no ${n}`);
                    return [n, value];
                  }),
                ),
              ),
            ),
          },
          { parent: this, dependsOn: [...args.namespace.ready] },
        );
        routingDeps.push(this.receiverSecret);
      }
      this.routing = new k8s.apiextensions.CustomResource(
        ROUTING_CONFIG_NAME,
        {
          apiVersion: "monitoring.coreos.com/v1alpha1",
          kind: "AlertmanagerConfig",
          metadata: {
            name: ROUTING_CONFIG_NAME,
            namespace,
            labels: { ...STACK_LABELS, [GLOBAL_CONFIG_LABEL.key]: GLOBAL_CONFIG_LABEL.value },
          },
          spec: alertmanagerConfigSpec(alerting),
        },
        { parent: this, dependsOn: routingDeps },
      );
    }

    this.summary = {
      rules: groups.flatMap((g) => g.rules.map((r) => r.alert)),
      defaultReceiver: routed ? alerting.route.receiver : null,
      receivers: routed
        ? Object.entries(alerting.receivers).map(([n, r]) => ({ name: n, type: r.type }))
        : [],
    };
    this.registerOutputs({ summary: this.summary });
  }
}
