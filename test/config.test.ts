import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { errorFor } from "./lib/config-error";
import { stackRawConfig } from "./lib/helpers";
import { PLAIN_KEYS, SECRET_KEYS, parseStackConfig } from "../components/core";
import { CONTAINER_IDS } from "../components/core";

const kind = { cluster: { type: "kind", context: "kind-observability" } };

describe("stack config", () => {
  it("applies laptop defaults to a minimal kind config", () => {
    const cfg = parseStackConfig(kind);
    expect(cfg.cluster).to.deep.equal({
      type: "kind",
      context: "kind-observability",
      identifier: "kind-observability",
      retainData: true,
    });
    expect(cfg.sizing).to.equal("laptop");
    expect(cfg.charts).to.deep.equal({ timeoutSeconds: 900 });
    expect(cfg.prometheus).to.deep.equal({
      enabled: true,
      replicas: 1,
      retention: "10d",
      scrapeInterval: "30s",
      scrapeControlPlane: false,
      scrapeKubeProxy: true,
    });
    expect(cfg.alertmanager).to.deep.equal({ enabled: true, replicas: 1, retention: "120h" });
    expect(cfg.grafana).to.deep.equal({ enabled: true, replicas: 1, adminUser: "admin" });
    expect(cfg.metricsServer).to.deep.equal({ enabled: true, replicas: 1, kubeletInsecureTls: true });
    expect(cfg.resources.prometheus).to.deep.equal({ cpu: "150m", memory: "400Mi", memoryLimit: "800Mi" });
  });

  it("reads the dev and prod stack files", () => {
    const dev = parseStackConfig(stackRawConfig("dev"));
    const prod = parseStackConfig(stackRawConfig("prod"));
    expect(dev.cluster.type).to.equal("kind");
    expect(prod.cluster.type).to.equal("cloud");
    expect(prod.sizing).to.equal("production");
    expect(prod.prometheus.storage).to.deep.equal({ size: "100Gi" });
    expect(prod.prometheus.scrapeKubeProxy).to.equal(false);
    expect(prod.metricsServer.kubeletInsecureTls).to.equal(false);
    expect(prod.resources.prometheus.memory).to.equal("4Gi");
  });

  it("applies per-container resource overrides on top of the preset", () => {
    const cfg = parseStackConfig({ ...kind, resources: { prometheus: { memory: "600Mi" } } });
    expect(cfg.resources.prometheus).to.deep.equal({ cpu: "150m", memory: "600Mi", memoryLimit: "800Mi" });
  });

  it("accepts numbers and booleans written as text, as `pulumi config set` stores them", () => {
    const cfg = parseStackConfig({ ...kind, prometheus: { replicas: "3", enabled: "true" } });
    expect(cfg.prometheus.replicas).to.equal(3);
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "a missing cluster",
        {},
        "Invalid stack config (2 problems):\n" +
          "  - cluster.type: is required but not set; set one of kind, cloud, e.g. `pulumi config set --path cluster.type kind`\n" +
          "  - cluster.context: is required but not set; set it, e.g. `pulumi config set --path cluster.context <kubeconfig-context>`",
      ],
      [
        "an unknown cluster type",
        { cluster: { type: "docker", context: "x" } },
        'Invalid stack config: cluster.type: must be one of kind, cloud, got "docker"; set one of them, e.g. `pulumi config set --path cluster.type kind`',
      ],
      [
        "a cluster that is not an object",
        { cluster: "kind" },
        "Invalid stack config (3 problems):\n" +
          '  - cluster: must be an object, got "kind"; set its fields one by one, e.g. `pulumi config set --path cluster.<field> <value>`\n' +
          "  - cluster.type: is required but not set; set one of kind, cloud, e.g. `pulumi config set --path cluster.type kind`\n" +
          "  - cluster.context: is required but not set; set it, e.g. `pulumi config set --path cluster.context <kubeconfig-context>`",
      ],
      [
        "a negative replica count",
        { ...kind, prometheus: { replicas: -1 } },
        "Invalid stack config: prometheus.replicas: must be a whole number from 1 to 100, got -1; set e.g. `pulumi config set --path prometheus.replicas 1`",
      ],
      [
        "a fractional replica count",
        { ...kind, alertmanager: { replicas: 1.5 } },
        "Invalid stack config: alertmanager.replicas: must be a whole number from 1 to 100, got 1.5; set e.g. `pulumi config set --path alertmanager.replicas 1`",
      ],
      [
        "a bad duration",
        { ...kind, prometheus: { retention: "10 days" } },
        'Invalid stack config: prometheus.retention: must be a duration such as 30s, 15m, 12h, 10d or 2w, got "10 days"; set e.g. `pulumi config set --path prometheus.retention 10d`',
      ],
      [
        "a bad size",
        { ...kind, prometheus: { storage: { size: "50GB" } } },
        'Invalid stack config: prometheus.storage.size: must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got "50GB"; did you mean 50Gi? Kubernetes quantities carry no B: set `pulumi config set --path prometheus.storage.size 50Gi`',
      ],
      [
        "a storage without a size",
        { ...kind, grafana: { storage: {} } },
        "Invalid stack config: grafana.storage.size: is required but not set; set it, e.g. `pulumi config set --path grafana.storage.size 10Gi`",
      ],
      [
        "a bad retention size",
        { ...kind, prometheus: { retentionSize: "40G" } },
        'Invalid stack config: prometheus.retentionSize: must be a size with a byte unit such as 512MB, 40GiB or 1TB, got "40G"; set e.g. `pulumi config set --path prometheus.retentionSize 40GiB`',
      ],
      [
        "a bad resource quantity",
        { ...kind, resources: { grafana: { cpu: "half" } } },
        'Invalid stack config: resources.grafana.cpu: must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got "half"; set e.g. `pulumi config set --path resources.grafana.cpu 50m`',
      ],
      [
        "an unknown container",
        { ...kind, resources: { loki: { cpu: "1" } } },
        `Invalid stack config: resources.loki: is not a known container; use one of: ${CONTAINER_IDS.join(", ")}`,
      ],
      [
        "an unknown chart-mirror scheme",
        { ...kind, charts: { mirror: "ftp://mirror.internal/charts" } },
        'Invalid stack config: charts.mirror: has unknown scheme "ftp" in "ftp://mirror.internal/charts"; use https:// or http:// for a Helm repository, or oci:// for an OCI registry prefix, e.g. `pulumi config set --path charts.mirror oci://registry.example.com/charts`',
      ],
      [
        "a mirror that is not a URL",
        { ...kind, charts: { mirror: "mirror.internal" } },
        'Invalid stack config: charts.mirror: must be a URL, got "mirror.internal"; use https:// or http:// for a Helm repository, or oci:// for an OCI registry prefix, e.g. `pulumi config set --path charts.mirror oci://registry.example.com/charts`',
      ],
      [
        "an unknown sizing",
        { ...kind, sizing: "huge" },
        'Invalid stack config: sizing: must be one of laptop, production, got "huge"; set e.g. `pulumi config set sizing production`',
      ],
      [
        "a misspelt field",
        { ...kind, prometheus: { replcas: 2 } },
        "Invalid stack config: prometheus.replcas: is not a known key; remove it or use one of: enabled, replicas, retention, retentionSize, scrapeControlPlane, scrapeInterval, scrapeKubeProxy, storage",
      ],
      [
        "an unknown top-level key",
        { ...kind, lokki: { mode: "Monolithic" } },
        "Invalid stack config: lokki: is not a known config key; did you mean loki? rename it in the stack file, or remove it with `pulumi config rm lokki`",
      ],
      [
        "an unknown top-level key like no known one",
        { ...kind, tempo: { enabled: true } },
        `Invalid stack config: tempo: is not a known config key; remove it with \`pulumi config rm tempo\`; known keys are ${[...PLAIN_KEYS, ...SECRET_KEYS].join(", ")}`,
      ],
      [
        "a boolean that is not one",
        { ...kind, metricsServer: { enabled: "yes" } },
        'Invalid stack config: metricsServer.enabled: must be true or false, got "yes"; set e.g. `pulumi config set --path metricsServer.enabled true`',
      ],
      [
        "a data retention switch that is not a boolean",
        { ...kind, cluster: { ...kind.cluster, retainData: "always" } },
        'Invalid stack config: cluster.retainData: must be true or false, got "always"; set e.g. `pulumi config set --path cluster.retainData true`',
      ],
      [
        "a cluster identifier with a space",
        { ...kind, cluster: { ...kind.cluster, identifier: "prod eu" } },
        'Invalid stack config: cluster.identifier: must be a cluster identifier (letters, digits and . _ : / @ -), got "prod eu"; set e.g. `pulumi config set --path cluster.identifier prod-eu-west-1`',
      ],
      [
        "Grafana without kube-prometheus-stack",
        { ...kind, prometheus: { enabled: false }, grafana: { enabled: true } },
        "Invalid stack config: grafana.enabled: is true but prometheus.enabled is false, and Grafana is installed by kube-prometheus-stack; set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path grafana.enabled false`",
      ],
      [
        "several Grafana replicas on one volume",
        { ...kind, grafana: { replicas: 2, storage: { size: "10Gi" } } },
        "Invalid stack config: grafana.replicas: is 2 with grafana.storage set, but replicas cannot share one ReadWriteOnce SQLite volume; set `pulumi config set --path grafana.replicas 1`, or remove grafana.storage",
      ],
    ];
    for (const [what, raw, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor(raw)).to.equal(message);
      });
    }
  });

  it("is a RunError, so `pulumi up` prints the message without a stack trace", () => {
    try {
      parseStackConfig({});
      expect.fail("expected a ConfigError");
    } catch (err) {
      expect(pulumi.RunError.isInstance(err)).to.equal(true);
    }
  });
});
