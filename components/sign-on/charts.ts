/**
 * The charts the sign-on part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS).
 */
import { Chart } from "../kit";

export const SIGN_ON_CHARTS = {
  // The external authorizer in front of the UIs without a login of their own.
  oauth2Proxy: {
    repo: "https://oauth2-proxy.github.io/manifests",
    chart: "oauth2-proxy",
    version: "10.7.0",
    images: [
      {
        role: "oauth2-proxy",
        image: "quay.io/oauth2-proxy/oauth2-proxy:v7.15.3",
        key: { registry: "image" },
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
