import type { DatasourceRef } from "../grafana";
import { CustomResourceObject, STACK_LABELS } from "../kit";
import { SignalsConfig } from "./config";
import { checkDashboardFile, KnownDatasource, SignalDashboard } from "./dashboard-files";
import { projectRoot, readSignalFiles, SignalFiles } from "./files";
import { FileProblem, SignalsFileError } from "./problems";
import { checkRuleFile, ruleFileSpec } from "./rules";
import { scrapeTargetMonitor } from "./scrape-targets";
import { sloDashboard, SLO_DASHBOARD_UID } from "./slo-dashboard";
import { sloResourceName, sloRuleGroup } from "./slo";

/** What the signals part ships: everything as plain data, checked. */
export interface SignalsPlan {
  /** Dashboard files and the error-budget dashboard, each one ConfigMap in its folder. */
  dashboards: SignalDashboard[];
  /** PrometheusRules: one per rule file and one per SLO. */
  rules: CustomResourceObject[];
  /** ServiceMonitors and PodMonitors of application namespaces. */
  monitors: CustomResourceObject[];
}

export interface SignalsPlanArgs {
  config: SignalsConfig;
  files: SignalFiles;
  /** Prometheus's namespace: the rules and monitors go there. */
  namespace: string;
  /** Whether Grafana runs, so dashboards can be shipped. */
  grafana: boolean;
  /** Every datasource Grafana has; dashboard files may name these uids. */
  datasources: readonly KnownDatasource[];
  /** The uids of every other dashboard the stack ships, with who ships it. */
  takenUids: ReadonlyMap<string, string>;
}

/**
 * The signals part as data: the dashboard files checked against the stack's datasources and
 * every other dashboard's uid, the rule files checked, the SLOs' rule groups and dashboard, the
 * scrape targets' monitors. Every problem with a file is collected and thrown at once, one line
 * each, before anything is declared.
 */
export function signalsPlan(args: SignalsPlanArgs): SignalsPlan {
  const { config, files } = args;
  const plan: SignalsPlan = { dashboards: [], rules: [], monitors: [] };
  if (!config.enabled) return plan;
  const problems: FileProblem[] = [...files.problems];
  const taken = new Map(args.takenUids);
  const prom = args.datasources.find((d) => d.type === "prometheus");

  if (args.grafana) {
    if (config.slos.length > 0 && prom !== undefined) {
      const ref: DatasourceRef = { type: prom.type, uid: prom.uid };
      plan.dashboards.push(sloDashboard(ref, config.sloFolder));
      taken.set(SLO_DASHBOARD_UID, "the error-budget dashboard of signals.slos");
    }
    for (const f of files.dashboards) {
      const checked = checkDashboardFile(f, args.datasources, taken);
      problems.push(...checked.problems);
      if (checked.dashboard !== undefined) {
        taken.set(checked.dashboard.uid, f.file);
        plan.dashboards.push(checked.dashboard);
      }
    }
  }

  const resources = new Map<string, string>();
  const rule = (name: string, source: string, spec: Record<string, unknown>): void => {
    const first = resources.get(name);
    if (first !== undefined) {
      problems.push({
        file: source,
        problem: `becomes the PrometheusRule ${name}, as ${first} does`,
        fix: "rename one of them",
      });
      return;
    }
    resources.set(name, source);
    plan.rules.push({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name, namespace: args.namespace, labels: { ...STACK_LABELS } },
      spec,
    });
  };
  for (const slo of config.slos) {
    rule(sloResourceName(slo), `signals.slos ${slo.name}`, { groups: [sloRuleGroup(slo)] });
  }
  for (const f of files.rules) {
    const checked = checkRuleFile(f.file, f.relative, f.text);
    problems.push(...checked.problems);
    if (checked.rules !== undefined) rule(checked.rules.resource, f.file, ruleFileSpec(checked.rules));
  }
  if (problems.length > 0) throw new SignalsFileError(problems);

  plan.monitors = config.scrapeTargets.map((t) => scrapeTargetMonitor(t, args.namespace));
  return plan;
}

/** What the signals part needs to know of the rest of the stack. */
export interface StackSignalsArgs {
  signals: SignalsConfig;
  /** Prometheus's (and Grafana's) namespace. */
  namespace: string;
  /** Whether kube-prometheus-stack runs: rules and monitors need its operator. */
  prometheus: boolean;
  /** Whether Grafana runs, with the dashboards on. */
  grafana: boolean;
  /** Every datasource Grafana has. */
  datasources: readonly KnownDatasource[];
  /** Every other dashboard the stack ships, by uid, with a name for messages. */
  otherDashboards: readonly { uid: string; title: string }[];
  /** The project's directory, where signals.directory is. Defaults to projectRoot(). */
  root?: string;
}

/**
 * The signals part for a stack: nothing without Prometheus; otherwise the files of
 * signals.directory read from the project and checked, the SLOs and scrape targets.
 */
export function stackSignals(args: StackSignalsArgs): SignalsPlan {
  if (!args.prometheus || !args.signals.enabled) return { dashboards: [], rules: [], monitors: [] };
  return signalsPlan({
    config: args.signals,
    files: readSignalFiles(args.root ?? projectRoot(), args.signals.directory),
    namespace: args.namespace,
    grafana: args.grafana,
    datasources: args.datasources,
    takenUids: new Map(
      args.otherDashboards.map((d) => [d.uid, `the stack's dashboard ${JSON.stringify(d.title)}`]),
    ),
  });
}
