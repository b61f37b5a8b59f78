/**
 * The charts the mesh part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS). test/catalogue.test.ts checks each pin against the archive's own Chart.yaml;
 * `npm run bump` changes one (docs/upgrades.md, "Upgrading a chart").
 */
import { Chart } from "../kit";

export const MESH_CHARTS = {
  istioBase: {
    repo: "https://istio-release.storage.googleapis.com/charts",
    chart: "base",
    version: "1.30.3",
    images: [],
    pullSecrets: [],
  },
  istiod: {
    repo: "https://istio-release.storage.googleapis.com/charts",
    chart: "istiod",
    version: "1.30.3",
    images: [
      { role: "istiod", image: "docker.io/istio/pilot:1.30.3", key: { hub: "global.hub" } },
      {
        role: "istio-proxy (injected into meshed pods and the gateway)",
        image: "docker.io/istio/proxyv2:1.30.3",
        key: { hub: "global.hub" },
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "names" }],
  },
  // The gateway's pod is `image: auto`: istiod injects the proxy image (listed under istiod).
  istioGateway: {
    repo: "https://istio-release.storage.googleapis.com/charts",
    chart: "gateway",
    version: "1.30.3",
    images: [],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
