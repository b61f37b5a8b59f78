/**
 * The charts the front-door part installs, each pinned beside every image it pulls at that
 * version: a chart bump touches its entry here alone. components/parts.ts folds every part's
 * charts into the catalogue (CHARTS).
 */
import { Chart, ImageCondition } from "../kit";

const on = (path: string, chartDefault = true): ImageCondition => ({ path, chartDefault });

export const FRONT_DOOR_CHARTS = {
  // The front door's certificates. Its CRDs are templates of this chart (crds.enabled), so they
  // install and upgrade with it, and every Issuer and Certificate waits for this release.
  certManager: {
    repo: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.21.1",
    images: [
      {
        role: "cert-manager controller",
        image: "quay.io/jetstack/cert-manager-controller:v1.21.1",
        key: { repository: "image" },
      },
      {
        role: "cert-manager webhook",
        image: "quay.io/jetstack/cert-manager-webhook:v1.21.1",
        key: { repository: "webhook.image" },
      },
      {
        role: "cert-manager cainjector",
        image: "quay.io/jetstack/cert-manager-cainjector:v1.21.1",
        key: { repository: "cainjector.image" },
        when: [on("cainjector.enabled")],
      },
      {
        role: "ACME HTTP-01 solver (started by the controller for each challenge)",
        image: "quay.io/jetstack/cert-manager-acmesolver:v1.21.1",
        key: { repository: "acmesolver.image" },
      },
      {
        role: "cert-manager startupapicheck (Helm hook)",
        image: "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1",
        key: { repository: "startupapicheck.image" },
        when: [on("startupapicheck.enabled")],
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
