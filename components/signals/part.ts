import { COMMUNITY_DASHBOARDS_EXTRA, projectDashboards } from "../grafana";
import type { CommunityDashboardFile, DashboardsConfig } from "../grafana";
import { DeclareContext, Part, PartReadContext } from "../kit";
import { readSignals, SIGNALS_KEY, SignalsConfig } from "./config";
import { stackSignals } from "./plan";
import { Signals } from "./signals";

/** The config keys the signals part reads. */
export interface SignalsSlice {
  /** Your own dashboards, rules, scrape targets and SLOs. */
  signals: SignalsConfig;
}

/** What the signals part reads of the stack config. */
export type SignalsView = SignalsSlice & {
  prometheus: { enabled: boolean };
  alertmanager: { enabled: boolean };
  dashboards: DashboardsConfig;
  alerting: { rules: { highErrorRate: { threshold: number }; highLatency: { threshold: number } } };
};

/** Whether the signals part runs. */
export interface SignalsRuns {
  /** Rules, monitors and dashboards from signals: need the operator. */
  signals: boolean;
}

/** The uid of a fetched community dashboard, when its JSON has one. */
function uidOf(f: CommunityDashboardFile): string | undefined {
  try {
    const uid = (JSON.parse(f.json) as { uid?: unknown }).uid;
    return typeof uid === "string" ? uid : undefined;
  } catch {
    return undefined;
  }
}

function declareSignals(
  ctx: DeclareContext<SignalsView> & { runs: SignalsRuns & { grafana?: boolean } },
): void {
  const { crds, release } = { crds: ctx.provided.monitoringCrds, release: ctx.provided.prometheusRelease };
  if (!ctx.runs.signals || crds === undefined || release === undefined) return;
  const grafana = ctx.runs.grafana === true;
  const own = grafana
    ? projectDashboards({
        dashboards: ctx.config.dashboards,
        datasources: ctx.datasources.all,
        stackNamespaces: ctx.stackNamespaces,
        alertmanagerEnabled: ctx.config.alertmanager.enabled,
        thresholds: {
          errorRatio: ctx.config.alerting.rules.highErrorRate.threshold,
          latencyMs: ctx.config.alerting.rules.highLatency.threshold,
        },
      }).map((f) => ({ uid: f.dashboard.uid, title: f.dashboard.title }))
    : [];
  const community = (
    (ctx.extras[COMMUNITY_DASHBOARDS_EXTRA] as readonly CommunityDashboardFile[] | undefined) ?? []
  ).flatMap((f) => {
    const uid = uidOf(f);
    return uid !== undefined ? [{ uid, title: f.name }] : [];
  });
  const plan = stackSignals({
    signals: ctx.config.signals,
    namespace: ctx.ns.monitoring,
    prometheus: true,
    grafana,
    datasources: ctx.datasources.all,
    otherDashboards: [...own, ...community],
  });
  const signals = new Signals(
    `${ctx.name}-signals`,
    { namespace: ctx.owned(ctx.ns.monitoring), plan, crds, release },
    { parent: ctx.parent },
  );
  ctx.endpoints["signals"] = signals.summary;
}

/** Your own signals: dashboard and rule files, scrape targets of application namespaces, SLOs. */
export const signalsPart = {
  name: "signals",
  charts: {},
  sizing: { laptop: {}, production: {} },
  outputs: ["signals"],
  config: {
    keys: { signals: SIGNALS_KEY },
    read(ctx: PartReadContext): SignalsSlice {
      return { signals: readSignals(ctx.at("signals")) };
    },
  },
  runs(config: SignalsView): SignalsRuns {
    return { signals: config.prometheus.enabled && config.signals.enabled };
  },
  // After kube-prometheus-stack (its CRDs and the operator's webhook) and Grafana's provisioning.
  declare: [{ order: 95, declare: declareSignals }],
} satisfies Part<SignalsSlice, SignalsRuns, SignalsView>;
