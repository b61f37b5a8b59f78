import * as k8s from "@pulumi/kubernetes";
import { ObservabilityStack, stackOutputs } from "./core";
import { loadStackConfig } from "./core/load";
import {
  COMMUNITY_DASHBOARDS_EXTRA,
  communityDashboards,
  grafanaRuns,
  OFFLINE_DASHBOARDS_ENV,
} from "./grafana";

/**
 * The whole program: reads and validates the stack config, declares every resource and returns
 * the stack outputs. `index.ts` hands it to the CLI; the Automation API runs it as an inline
 * program, so the CLI, the offline plan and the real-engine test all run this one function.
 */
export async function observabilityProgram(): Promise<Record<string, unknown>> {
  // Read and validate all config before declaring anything: a mistake stops here with its key path.
  const { config, secrets } = loadStackConfig();
  // The community dashboards' pinned revisions, fetched now: an unreachable source stops the
  // preview here with one line, instead of a Grafana pod that cannot start.
  const dashboards = grafanaRuns(config)
    ? await communityDashboards(config.dashboards, { offline: process.env[OFFLINE_DASHBOARDS_ENV] === "1" })
    : [];

  // One explicit provider for every Kubernetes object, pointed at the context from config.
  const provider = new k8s.Provider("kubernetes", {
    context: config.cluster.context,
    // Only a change of this replaces the provider, and with it every object: moving the stack to
    // another cluster shows in the preview as a replacement (docs/upgrades.md).
    clusterIdentifier: config.cluster.identifier,
    // Dashboards and datasources are ConfigMaps, and datasources with credentials Secrets: update
    // them in place instead of replacing them (a replacement deletes first, so the name stays, and
    // Grafana's sidecar would drop the datasource in between).
    enableConfigMapMutable: true,
    enableSecretMutable: true,
  });

  const stack = new ObservabilityStack(
    "observability",
    { config, secrets, extras: { [COMMUNITY_DASHBOARDS_EXTRA]: dashboards } },
    { providers: { kubernetes: provider } },
  );

  return stackOutputs(stack.endpoints);
}
