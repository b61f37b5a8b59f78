import type * as pulumi from "@pulumi/pulumi";
import { DeclareContext, isTrue, Part, PartReadContext } from "../kit";
import { Alerting, AlertingArgs } from "./alerting";
import {
  ALERT_RECEIVER_SECRETS_KEY,
  ALERTING_KEY,
  AlertingConfig,
  NULL_RECEIVER,
  readAlerting,
} from "./config";
import { routingEnabled } from "./routing";

/** The config keys the alerting part reads. */
export interface AlertingSlice {
  /** Alert rules and Alertmanager routing. */
  alerting: AlertingConfig;
}

/** What the alerting part reads of the stack config. */
export type AlertingView = AlertingSlice & AlertingArgs["config"] & { sizing: string };

/** Which of the alerting part's pieces run. */
export interface AlertingRuns {
  /** Alert rules (PrometheusRules): need the operator. */
  alerting: boolean;
  /** Alertmanager routing from config: needs rules and Alertmanager. */
  alertRouting: boolean;
}

/** The secret key of the receivers' credentials, by receiver name. */
export const ALERT_RECEIVER_SECRETS = "alertReceiverSecrets";

function declareAlerting(ctx: DeclareContext<AlertingView> & { runs: AlertingRuns }): void {
  const { crds, release } = { crds: ctx.provided.monitoringCrds, release: ctx.provided.prometheusRelease };
  if (!ctx.runs.alerting || crds === undefined || release === undefined) return;
  const receiverSecrets = ctx.secrets[ALERT_RECEIVER_SECRETS] as
    pulumi.Output<Record<string, string>> | undefined;
  // Rules and routing are custom resources: after the CRDs and the operator's webhook.
  const alerting = new Alerting(
    `${ctx.name}-alerting`,
    {
      namespace: ctx.owned(ctx.ns.monitoring),
      config: ctx.config,
      stackNamespaces: ctx.stackNamespaces,
      crds,
      release,
      ...(receiverSecrets !== undefined ? { receiverSecrets } : {}),
    },
    { parent: ctx.parent },
  );
  ctx.endpoints["alerting"] = alerting.summary;
}

/** The stack's alert rules and Alertmanager's routing. */
export const alertingPart = {
  name: "alerting",
  charts: {},
  sizing: { laptop: {}, production: {} },
  outputs: ["alerting"],
  config: {
    keys: { alerting: ALERTING_KEY, [ALERT_RECEIVER_SECRETS]: ALERT_RECEIVER_SECRETS_KEY },
    secretKeys: [ALERT_RECEIVER_SECRETS],
    read(ctx: PartReadContext): AlertingSlice {
      return {
        alerting: readAlerting(
          ctx.at("alerting"),
          ctx.secretNames[ALERT_RECEIVER_SECRETS] ?? [],
          ctx.problems,
        ),
      };
    },
    check(config: AlertingView, ctx: PartReadContext): void {
      const explicitlyOn = isTrue((ctx.raw["alerting"] as { enabled?: unknown } | undefined)?.enabled);
      if (!config.prometheus.enabled && config.alerting.enabled && explicitlyOn) {
        ctx.problems.push({
          path: "alerting.enabled",
          problem:
            "is true but prometheus.enabled is false, and the rules and routing need kube-prometheus-stack",
          fix: "set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path alerting.enabled false`",
        });
      }
      // Receivers and routes are Alertmanager's: without it they would be dropped without a word.
      const receivers = Object.keys(config.alerting.receivers);
      if (config.prometheus.enabled && !config.alertmanager.enabled && receivers.length > 0) {
        ctx.problems.push({
          path: "alertmanager.enabled",
          problem: `is false, but alerting.receivers sets ${receivers.join(", ")}, which only Alertmanager notifies, so no alert would reach ${receivers.length === 1 ? "it" : "them"}`,
          fix: "set `pulumi config set --path alertmanager.enabled true`, or remove the receivers with `pulumi config rm --path alerting.receivers` and `pulumi config rm --path alerting.route`",
        });
      }
    },
  },
  runs(config: AlertingView): AlertingRuns {
    return {
      alerting: config.prometheus.enabled && config.alerting.enabled,
      alertRouting: routingEnabled(config),
    };
  },
  /**
   * A stack sized for production whose alerts all go to the null receiver tells nobody when it
   * breaks.
   */
  warnings(config: AlertingView, runs: AlertingRuns): string[] {
    const { route } = config.alerting;
    const everyAlertDropped =
      route.receiver === NULL_RECEIVER && route.routes.every((r) => r.receiver === NULL_RECEIVER);
    if (config.sizing !== "production" || !runs.alertRouting || !everyAlertDropped) return [];
    return [
      "alerting: every alert goes to the null receiver, so nobody is notified when this production-sized stack breaks; " +
        "set a receiver with `pulumi config set --path alerting.receivers.<name>.type slack` (its URL with " +
        "`pulumi config set --secret --path alertReceiverSecrets.<name> <url>`) and route to it with " +
        "`pulumi config set --path alerting.route.receiver <name>`",
    ];
  },
  // After kube-prometheus-stack: its CRDs and the operator's webhook.
  declare: [{ order: 30, declare: declareAlerting }],
} satisfies Part<AlertingSlice, AlertingRuns, AlertingView>;
