import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { configWarnings, parseStackConfig, partsRunning } from "../components/core";
import { yamlSyntaxError } from "../tools/lib/stack-file";
import { stackFileError } from "./lib/stack-file-error";
import { errorFor } from "./lib/config-error";
import { PROJECT_DIR, programError, run, stackInput, stackRawConfig } from "./lib/helpers";

const kind = { cluster: { type: "kind", context: "kind-observability" } };

describe("bad input, as a new user would type it", () => {
  describe("a syntax error in a stack file is one line with file, line, column and what to fix", () => {
    const cases: [string, string, string][] = [
      [
        "bad indentation",
        "config:\n  observability:cluster:\n    type: kind\n   context: kind-observability\n",
        "Pulumi.broken.yaml:4:1: this line is indented differently from the keys beside it; indent the keys of one block by the same number of spaces",
      ],
      [
        "a tab",
        "config:\n  observability:cluster:\n  \ttype: kind\n",
        "Pulumi.broken.yaml:3:3: a tab indents this line, and YAML indents with spaces only; replace the tab with spaces",
      ],
      [
        "a duplicate key",
        "config:\n  observability:sizing: laptop\n  observability:sizing: production\n",
        "Pulumi.broken.yaml:3:3: this key appears twice in one block, which the Pulumi CLI refuses; keep one of them",
      ],
    ];
    for (const [what, text, message] of cases) {
      it(`for ${what}`, () => {
        expect(stackFileError(text)).to.equal(message);
        expect(message.split("\n")).to.have.length(1);
      });
    }

    it("and nothing for the project's own files", () => {
      for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
        expect(yamlSyntaxError(file, fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")), file).to.equal(
          undefined,
        );
      }
    });
  });

  it("names the likely key of a misspelled project prefix", async () => {
    const input = stackInput("dev");
    input.config["observabilty:loki"] = JSON.stringify({ mode: "SimpleScalable" });
    expect(await programError(input)).to.equal(
      'Invalid stack config: observabilty:loki: is not read: its prefix "observabilty" is not the project\'s name "observability"; did you mean observability:loki? rename it in the stack file',
    );
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      "10000 replicas",
      { ...kind, prometheus: { replicas: 10000 } },
      "Invalid stack config: prometheus.replicas: must be a whole number from 1 to 100, got 10000; set e.g. `pulumi config set --path prometheus.replicas 1`",
    ],
    [
      "10000 Loki gateway replicas",
      { ...kind, loki: { gateway: { replicas: 10000 } } },
      "Invalid stack config: loki.gateway.replicas: must be a whole number from 1 to 100, got 10000; set e.g. `pulumi config set --path loki.gateway.replicas 1`",
    ],
    [
      "a StorageClass name over the 63-character DNS label limit",
      { cluster: { ...kind.cluster, storageClass: "s".repeat(64) } },
      `Invalid stack config: cluster.storageClass: must be a StorageClass name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit), got "${"s".repeat(64)}"; set e.g. \`pulumi config set --path cluster.storageClass standard\``,
    ],
    [
      "a namespace name 10,000 characters long, shown cut",
      { ...kind, mesh: { injectNamespaces: ["n".repeat(10000)] } },
      `Invalid stack config: mesh.injectNamespaces[0]: must be a namespace name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit), got "${"n".repeat(64)}…" (10000 characters); set e.g. \`pulumi config set --path 'mesh.injectNamespaces[0]' shop\``,
    ],
    [
      'a storage size of "0"',
      { ...kind, prometheus: { storage: { size: "0" } } },
      'Invalid stack config: prometheus.storage.size: must be more than 0, got "0"; set a size, e.g. `pulumi config set --path prometheus.storage.size 50Gi`',
    ],
    [
      "a Loki volume of 0",
      { ...kind, loki: { persistence: { size: "0Gi" } } },
      'Invalid stack config: loki.persistence.size: must be more than 0, got "0Gi"; set a size, e.g. `pulumi config set --path loki.persistence.size 10Gi`',
    ],
    [
      "10GB",
      { ...kind, grafana: { storage: { size: "10GB" } } },
      'Invalid stack config: grafana.storage.size: must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got "10GB"; did you mean 10Gi? Kubernetes quantities carry no B: set `pulumi config set --path grafana.storage.size 10Gi`',
    ],
    [
      "mesh.mtls.mode strict",
      { ...kind, mesh: { mtls: { mode: "strict" } } },
      'Invalid stack config: mesh.mtls.mode: must be one of STRICT, PERMISSIVE, got "strict"; did you mean STRICT? set `pulumi config set --path mesh.mtls.mode STRICT`',
    ],
    [
      "a folder name with é",
      { ...kind, dashboards: { folder: "Opérations" } },
      'Invalid stack config: dashboards.folder: must be a folder name of at most 63 ASCII letters (A-Z and a-z, no accents), digits, spaces, - and _, starting with a letter or digit, got "Opérations"; set e.g. `pulumi config set --path dashboards.folder Observability`',
    ],
  ];
  for (const [what, raw, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(errorFor(raw)).to.equal(message);
    });
  }

  it("refuses a Loki schema whose only period starts after today, by the clock it is given", () => {
    const raw = { ...kind, loki: { schemaFrom: "2026-06-02" } };
    expect(() => parseStackConfig(raw, new Set(), {}, { today: "2026-06-01" })).to.throw(
      "Invalid stack config: loki.schemaFrom: is 2026-06-02, after today (2026-06-01), so Loki would have no schema for the logs it receives now; set a date on or before today, e.g. `pulumi config set --path loki.schemaFrom 2024-04-01`, and never change it once Loki holds data",
    );
    expect(parseStackConfig(raw, new Set(), {}, { today: "2026-06-02" }).loki.schemaFrom).to.equal(
      "2026-06-02",
    );
  });

  it("reports a plain-text secret together with the other problems of the file", async () => {
    const input = stackInput("dev", { prometheus: { replicas: -1 } });
    input.config["observability:grafanaAdminPassword"] = "hunter2";
    expect(await programError(input)).to.equal(
      "Invalid stack config (2 problems):\n" +
        "  - grafanaAdminPassword: is plain text in the stack file, but it holds a secret; set it again with `pulumi config set --secret grafanaAdminPassword <value>`, so that it is encrypted\n" +
        "  - prometheus.replicas: must be a whole number from 1 to 100, got -1; set e.g. `pulumi config set --path prometheus.replicas 1`",
    );
  });

  describe("a production stack with no alert receiver", () => {
    const warning =
      "alerting: every alert goes to the null receiver, so nobody is notified when this production-sized stack breaks; " +
      "set a receiver with `pulumi config set --path alerting.receivers.<name>.type slack` (its URL with " +
      "`pulumi config set --secret --path alertReceiverSecrets.<name> <url>`) and route to it with " +
      "`pulumi config set --path alerting.route.receiver <name>`";

    it("gets a warning naming the keys to set, and dev and a prod with a receiver get none", () => {
      const prod = parseStackConfig(stackRawConfig("prod"));
      expect(configWarnings(prod, partsRunning(prod))).to.deep.equal([warning]);
      const dev = parseStackConfig(stackRawConfig("dev"));
      expect(configWarnings(dev, partsRunning(dev))).to.deep.equal([]);
      const routed = parseStackConfig(
        {
          ...stackRawConfig("prod"),
          alerting: {
            receivers: { oncall: { type: "slack", channel: "#oncall" } },
            route: { receiver: "oncall" },
          },
        },
        new Set(["alertReceiverSecrets"]),
        { alertReceiverSecrets: ["oncall"] },
      );
      expect(configWarnings(routed, partsRunning(routed))).to.deep.equal([]);
    });

    it("is warned at preview through pulumi.log.warn, and dev warns nothing", async () => {
      expect((await run(stackInput("prod"))).warnings).to.deep.equal([warning]);
      expect((await run(stackInput("dev"))).warnings).to.deep.equal([]);
    });
  });
});
