import { expect } from "chai";
import { parseCli } from "../tools/lib/cli";
import {
  decidePending,
  decideRelease,
  editState,
  Exported,
  isLockFile,
  judgeLock,
  kubectlResource,
  lastDeployed,
  manifestData,
  objectRef,
  parseLock,
  pendingOperations,
  pulumiFieldManager,
  RELEASE_TYPE,
  ReleaseFacts,
  SECRET_SIG,
  stateReleases,
} from "../tools/lib/recover";

const URN = "urn:pulumi:dev::observability::";
const release = (name: string, namespace: string) => ({
  urn: `${URN}observability:core:ObservabilityStack$${RELEASE_TYPE}::${name}`,
  type: RELEASE_TYPE,
  custom: true,
  parent: `${URN}observability:core:ObservabilityStack::observability`,
  provider: `${URN}pulumi:providers:kubernetes::kubernetes::1234`,
  inputs: { name, namespace, chart: name, version: "1.0.0", values: { a: 1 } },
});
const configMap = {
  urn: `${URN}kubernetes:core/v1:ConfigMap::dashboards`,
  type: "kubernetes:core/v1:ConfigMap",
  custom: true,
  inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dashboards", namespace: "monitoring" } },
};
const namespace = {
  urn: `${URN}kubernetes:core/v1:Namespace::ns-logging`,
  type: "kubernetes:core/v1:Namespace",
  custom: true,
  inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "logging" } },
};

function exported(): Exported {
  return {
    version: 3,
    deployment: {
      manifest: {},
      resources: [
        { urn: `${URN}pulumi:pulumi:Stack::observability-dev`, type: "pulumi:pulumi:Stack" },
        { ...release("loki", "logging"), id: "logging/loki", outputs: {} },
      ],
      pending_operations: [
        { resource: release("prometheus-operator-crds", "monitoring"), type: "creating" },
        { resource: configMap, type: "creating" },
        { resource: namespace, type: "creating" },
        { resource: { ...release("loki", "logging"), id: "logging/loki" }, type: "updating" },
      ],
    },
  };
}

describe("recover: locks", () => {
  const lock = { pid: 4242, username: "runner", hostname: "ci-1", timestamp: "2026-12-07T19:00:00Z" };
  const now = new Date("2026-12-07T19:30:00Z");

  it("reads the lock file the DIY backend writes, and nothing else", () => {
    expect(parseLock(JSON.stringify(lock))).to.deep.equal(lock);
    expect(parseLock("not json")).to.equal(undefined);
    expect(parseLock(JSON.stringify({ pid: "1", hostname: "x", timestamp: "t" }))).to.equal(undefined);
  });

  it("takes the lock files of a stack's lock directory, not fileblob's metadata beside them", () => {
    const dir = [
      "297899ed-77dd-4c43-bd1e-8ee2c3015302.json",
      "297899ed-77dd-4c43-bd1e-8ee2c3015302.json.attrs",
    ];
    expect(dir.filter(isLockFile)).to.deep.equal(["297899ed-77dd-4c43-bd1e-8ee2c3015302.json"]);
  });

  it("a lock of this host is stale only when its Pulumi process is gone", () => {
    const running = judgeLock(lock, { hostname: "ci-1", now, pulumiRunning: (pid) => pid === 4242 });
    expect(running.stale).to.equal(false);
    expect(running.why).to.include("still running");
    const gone = judgeLock(lock, { hostname: "ci-1", now, pulumiRunning: () => false });
    expect(gone.stale).to.equal(true);
    expect(gone.why).to.include("no Pulumi process 4242");
  });

  it("a lock of another host is stale only when older than --lock-stale-after", () => {
    const never = () => {
      throw new Error("another host's pid is never looked up here");
    };
    const unknown = judgeLock(lock, { hostname: "laptop", now, pulumiRunning: never });
    expect(unknown.stale).to.equal(false);
    expect(unknown.why).to.include("--lock-stale-after");
    expect(
      judgeLock(lock, { hostname: "laptop", now, pulumiRunning: never, staleAfterMinutes: 45 }).stale,
    ).to.equal(false);
    const old = judgeLock(lock, { hostname: "laptop", now, pulumiRunning: never, staleAfterMinutes: 20 });
    expect(old.stale).to.equal(true);
    expect(old.why).to.include("30 minutes old");
    const bad = judgeLock(
      { ...lock, timestamp: "yesterday" },
      { hostname: "laptop", now, pulumiRunning: never, staleAfterMinutes: 1 },
    );
    expect(bad.stale).to.equal(false);
  });
});

describe("recover: reading the state", () => {
  it("names each pending operation's object by the id the provider uses", () => {
    expect(pendingOperations(exported()).map((p) => [p.op, p.ref?.kind, p.ref?.id])).to.deep.equal([
      ["creating", "release", "monitoring/prometheus-operator-crds"],
      ["creating", "object", "monitoring/dashboards"],
      ["creating", "object", "logging"],
      ["updating", "release", "logging/loki"],
    ]);
  });

  it("has no object for what is not a Kubernetes object or has no name", () => {
    expect(objectRef({ urn: "u", type: "pulumi:providers:kubernetes", inputs: { context: "x" } })).to.equal(
      undefined,
    );
    expect(objectRef({ urn: "u", type: "random:index/randomPassword:RandomPassword" })).to.equal(undefined);
    expect(objectRef({ urn: "u", type: RELEASE_TYPE, inputs: { namespace: "x" } })).to.equal(undefined);
  });

  it("lists every release once, from the resources and the pending operations", () => {
    expect(stateReleases(exported()).map((r) => r.id)).to.deep.equal([
      "logging/loki",
      "monitoring/prometheus-operator-crds",
    ]);
  });

  it("finds the Pulumi provider's field manager and the kubectl resource of an object", () => {
    const live = {
      metadata: {
        managedFields: [
          { manager: "kube-controller-manager", operation: "Update" },
          { manager: "pulumi-kubernetes-abc123", operation: "Apply" },
        ],
      },
    };
    expect(pulumiFieldManager(live)).to.equal("pulumi-kubernetes-abc123");
    expect(pulumiFieldManager({ metadata: {} })).to.equal(undefined);
    const cm = objectRef(configMap);
    const rule = objectRef({
      urn: "u",
      type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      inputs: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "r", namespace: "m" },
      },
    });
    expect(cm && kubectlResource(cm)).to.equal("configmap");
    expect(rule && kubectlResource(rule)).to.equal("prometheusrule.v1.monitoring.coreos.com");
  });
});

describe("recover: the decision table for a release", () => {
  const ref = { kind: "release" as const, namespace: "logging", name: "loki", id: "logging/loki" };
  const facts = (
    status: string | undefined,
    history: [number, string][],
    data: string[] = [],
  ): ReleaseFacts => ({
    ref,
    ...(status !== undefined ? { status } : {}),
    history: history.map(([revision, s]) => ({ revision, status: s })),
    data,
  });
  const plain = { pendingCreate: false, uninstallData: false };

  it("leaves a deployed, failed or absent release alone", () => {
    expect(decideRelease(facts("deployed", [[1, "deployed"]]), plain).action).to.equal("none");
    expect(
      decideRelease(
        facts("failed", [
          [1, "deployed"],
          [2, "failed"],
        ]),
        plain,
      ).action,
    ).to.equal("none");
    expect(decideRelease(facts(undefined, []), { ...plain, pendingCreate: true }).action).to.equal("none");
  });

  it("rolls a pending upgrade or rollback back to the last deployed revision", () => {
    const upgrade = decideRelease(
      facts("pending-upgrade", [
        [1, "superseded"],
        [2, "deployed"],
        [3, "pending-upgrade"],
      ]),
      plain,
    );
    expect(upgrade).to.deep.include({ action: "rollback", revision: 2 });
    const rollback = decideRelease(
      facts("pending-rollback", [
        [1, "superseded"],
        [2, "superseded"],
        [3, "failed"],
        [4, "pending-rollback"],
      ]),
      plain,
    );
    expect(rollback).to.deep.include({ action: "rollback", revision: 2 });
    expect(lastDeployed([{ revision: 1, status: "failed" }])).to.equal(undefined);
  });

  it("uninstalls a release that never was deployed, unless that deletes data", () => {
    expect(decideRelease(facts("pending-install", [[1, "pending-install"]]), plain).action).to.equal(
      "uninstall",
    );
    const data = facts("pending-install", [[1, "pending-install"]], ["PersistentVolumeClaim grafana"]);
    const refused = decideRelease(data, plain);
    expect(refused.action).to.equal("refuse");
    expect(refused.why).to.include("PersistentVolumeClaim grafana").and.include("--uninstall-data");
    expect(decideRelease(data, { ...plain, uninstallData: true }).action).to.equal("uninstall");
  });

  it("uninstalls a failed install that is only a pending create, so the name is free again", () => {
    const failed = facts("failed", [[1, "failed"]]);
    expect(decideRelease(failed, { ...plain, pendingCreate: true }).action).to.equal("uninstall");
    expect(decideRelease(failed, plain).action).to.equal("none");
  });

  it("counts as data only the claims an uninstall would delete", () => {
    expect(
      manifestData([
        { kind: "PersistentVolumeClaim", metadata: { name: "grafana" } },
        {
          kind: "PersistentVolumeClaim",
          metadata: { name: "kept", annotations: { "helm.sh/resource-policy": "keep" } },
        },
        {
          kind: "StatefulSet",
          metadata: { name: "loki" },
          spec: { volumeClaimTemplates: [{ metadata: { name: "storage" } }] },
        },
        {
          kind: "StatefulSet",
          metadata: { name: "db" },
          spec: {
            volumeClaimTemplates: [{ metadata: { name: "data" } }],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" },
          },
        },
        null,
      ]),
    ).to.deep.equal(["PersistentVolumeClaim grafana", "the claims data-db-* of StatefulSet db"]);
  });
});

describe("recover: pending operations and the state edit", () => {
  const [crds, cm, ns, update] = pendingOperations(exported());

  it("imports what exists, leaves what does not to be created, and drops the rest", () => {
    if (crds === undefined || cm === undefined || ns === undefined || update === undefined)
      throw new Error("fixture");
    expect(decidePending(crds, true, false)).to.deep.include({
      action: "import",
      id: "monitoring/prometheus-operator-crds",
    });
    expect(decidePending(ns, false, false).action).to.equal("clear");
    expect(decidePending(cm, true, true).action).to.equal("keep");
    expect(decidePending(update, true, false).action).to.equal("keep");
    expect(decidePending({ urn: "u", type: "random:x:Y", op: "creating" }, undefined, false).action).to.equal(
      "clear",
    );
  });

  it("turns an imported create into the last resource, with the outputs the refresh reads", () => {
    const state = exported();
    const decisions = new Map([
      [
        `${URN}observability:core:ObservabilityStack$${RELEASE_TYPE}::prometheus-operator-crds`,
        { action: { action: "import" as const, id: "monitoring/prometheus-operator-crds", why: "" } },
      ],
      [
        configMap.urn,
        {
          action: { action: "import" as const, id: "monitoring/dashboards", why: "" },
          detail: { id: "monitoring/dashboards", fieldManager: "pulumi-kubernetes-abc" },
        },
      ],
      [namespace.urn, { action: { action: "clear" as const, why: "" } }],
    ]);
    const edited = editState(state, decisions);
    const resources = edited.deployment.resources ?? [];
    expect(resources.map((r) => r.id)).to.deep.equal([
      undefined,
      "logging/loki",
      "monitoring/prometheus-operator-crds",
      "monitoring/dashboards",
    ]);
    const crdsState = resources[2];
    const inputs = release("prometheus-operator-crds", "monitoring").inputs;
    expect(crdsState?.parent).to.equal(release("x", "y").parent);
    expect(crdsState?.inputs).to.deep.equal(inputs);
    const secret = crdsState?.outputs?.["__inputs"] as Record<string, string>;
    expect(secret[SECRET_SIG.key]).to.equal(SECRET_SIG.value);
    expect(JSON.parse(secret["plaintext"] ?? "null")).to.deep.equal(inputs);
    expect(resources[3]?.outputs).to.deep.equal({
      __initialApiVersion: "v1",
      __fieldManager: "pulumi-kubernetes-abc",
    });
    // The namespace's create is gone; the interrupted update stays for `stack import` to drop.
    expect((edited.deployment.pending_operations ?? []).map((o) => o.type)).to.deep.equal(["updating"]);
    // The input is not modified.
    expect(state.deployment.pending_operations).to.have.length(4);
  });
});

describe("the tools' command line: optional values", () => {
  const spec = {
    usage: "u",
    values: ["stack"] as const,
    optional: ["lock-stale-after"] as const,
    flags: ["json"] as const,
  };

  it("takes an optional value when given and leaves it out otherwise", () => {
    const given = parseCli(["--stack", "dev", "--lock-stale-after=45"], spec);
    expect(given.kind === "run" && given.optional["lock-stale-after"]).to.equal("45");
    const absent = parseCli(["--stack", "dev"], spec);
    expect(absent.kind === "run" && absent.optional["lock-stale-after"]).to.equal(undefined);
  });

  it("refuses an optional option without a value", () => {
    const write = process.stderr.write.bind(process.stderr);
    let err = "";
    process.stderr.write = (s: string | Uint8Array) => {
      err += String(s);
      return true;
    };
    try {
      expect(parseCli(["--stack", "dev", "--lock-stale-after"], spec)).to.deep.equal({
        kind: "exit",
        code: 2,
      });
    } finally {
      process.stderr.write = write;
    }
    expect(err).to.include("--lock-stale-after needs a value");
  });
});
