import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./components/config";
import { NAMESPACES, ObservabilityStack } from "./components/core";

// Read and validate all config before declaring anything: a mistake stops here with its key path.
const { config, secrets } = loadStackConfig();

// One explicit provider for every Kubernetes object, pointed at the context from config.
const provider = new k8s.Provider("kubernetes", {
  context: config.cluster.context,
  // Dashboards and datasources are ConfigMaps: update them in place instead of replacing them.
  enableConfigMapMutable: true,
});

const stack = new ObservabilityStack(
  "observability",
  { config, secrets },
  { providers: { kubernetes: provider } },
);

/** Namespaces the stack owns. */
export const namespaces = stack.endpoints.namespaces;
/** How to reach Grafana, and the Secret (not the password) that holds its admin credentials. */
export const grafana = stack.endpoints.grafana ?? null;
export const prometheus = stack.endpoints.prometheus ?? null;
export const alertmanager = stack.endpoints.alertmanager ?? null;
/** The mesh: its mTLS mode, the namespaces labelled for injection, and how to reach the ingress gateway. */
export const mesh = stack.endpoints.mesh ?? null;
/** Reads the admin password from its Secret; the program itself never outputs it. */
export const grafanaAdminPasswordCommand = stack.endpoints.grafana
  ? `kubectl -n ${NAMESPACES.monitoring.name} get secret ${stack.endpoints.grafana.adminSecret.name} -o jsonpath='{.data.${stack.endpoints.grafana.adminSecret.passwordKey}}' | base64 -d`
  : null;
