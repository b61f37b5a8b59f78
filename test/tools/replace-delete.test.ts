import { expect } from "chai";
import { planOf, PlanDocument, PlanResource } from "../../tools/lib/plan";
import { diffPlans, Hazard, PlanDiff, renderJson, renderMarkdown } from "../../tools/lib/plan-diff";
import { createUrn, inheritedChildAlias, matchUrns } from "../../tools/lib/urn";
import { stackInput } from "../lib/helpers";

/**
 * Pairs of plans, each classified as the engine would carry it out: what is replaced or deleted,
 * and whether data is at risk. The plans are the program's own, under the prod stack file with
 * overrides, or edited where no config reaches (a renamed namespace or component type).
 */

const STACK = "observability:core:ObservabilityStack";
const PREFIX = "urn:pulumi:prod::observability::";

function find(plan: PlanDocument, name: string): PlanResource {
  const r = plan.resources.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no resource ${name} in the plan`);
  return r;
}

/** A plan as one made before URNs were recorded: type, name and parent only. */
function withoutUrns(plan: PlanDocument): PlanDocument {
  const copy = structuredClone(plan);
  for (const r of copy.resources) {
    delete r.urn;
    delete r.aliases;
  }
  return copy;
}

function hazards(diff: PlanDiff): [Hazard["action"], string, boolean, boolean][] {
  return diff.replaceOrDelete.map((h) => [h.action, h.name, h.data !== undefined, h.retained]);
}

describe("plan:diff names what the engine would replace or delete", function () {
  this.timeout(120000);
  let prod: PlanDocument;

  before(async () => {
    prod = await planOf(stackInput("prod"));
  });

  it("records each URN with the full chain of parent types, as the engine (not the SDK's mock monitor) builds it", () => {
    expect(find(prod, "jaeger").urn).to.equal(
      `${PREFIX}${STACK}$observability:tracing:Tracing$observability:tracing:Jaeger$kubernetes:helm.sh/v3:Release::jaeger`,
    );
    expect(find(prod, "kubernetes").urn).to.equal(`${PREFIX}pulumi:providers:kubernetes::kubernetes`);
    expect(find(prod, "observability-alloy").aliases).to.deep.equal([
      `${PREFIX}${STACK}$observability:logging:Alloy::observability-alloy`,
    ]);
  });

  describe("a component type renamed", () => {
    // The stack as deployed before ae3f030: the collector's type was observability:logging:Alloy.
    let before: PlanDocument;
    beforeEach(() => {
      before = withoutUrns(prod);
      find(before, "observability-alloy").type = "observability:logging:Alloy";
    });

    it("with an alias: nothing is replaced or deleted, and the release below it is found through its parent's alias", () => {
      const diff = diffPlans(before, prod);
      expect(diff.replaceOrDelete).to.deep.equal([]);
      expect(diff.dataAtRisk).to.equal(false);
      const release = diff.changed.find((c) => c.name === "alloy");
      expect(release?.previousUrn).to.equal(
        `${PREFIX}${STACK}$observability:logging:Alloy$kubernetes:helm.sh/v3:Release::alloy`,
      );
      expect(release?.values).to.deep.equal([]);
      expect(release?.inputs).to.deep.equal([]);
      expect(diff.added).to.deep.equal([]);
      expect(diff.removed).to.deep.equal([]);
    });

    it("without an alias: the component, the release and its ServiceMonitor are deleted and created anew", () => {
      const head = structuredClone(prod);
      delete find(head, "observability-alloy").aliases;
      const diff = diffPlans(before, head);
      expect(hazards(diff)).to.deep.equal([
        ["delete", "observability-alloy", false, false],
        ["delete", "alloy", false, false],
        ["delete", "observability-alloy-servicemonitor", false, false],
      ]);
      const release = diff.replaceOrDelete[1];
      expect(release?.urn).to.equal(
        `${PREFIX}${STACK}$observability:logging:Alloy$kubernetes:helm.sh/v3:Release::alloy`,
      );
      expect(release?.newUrn).to.equal(find(head, "alloy").urn);
      expect(release?.reasons[0]).to.match(
        /^its URN changed without an alias: the engine creates urn:pulumi:/,
      );
      expect(diff.added.map((a) => [a.name, a.replaces !== undefined])).to.deep.equal([
        ["observability-alloy", true],
        ["alloy", true],
        ["observability-alloy-servicemonitor", true],
      ]);
      const md = renderMarkdown(diff);
      expect(md.indexOf("#### Replaced or deleted")).to.be.lessThan(md.indexOf("#### Added"));
      expect(md).to.include("- **delete** `alloy` `kubernetes:helm.sh/v3:Release`");
      expect(JSON.parse(renderJson(diff)))
        .to.have.property("replaceOrDelete")
        .with.length(3);
    });
  });

  it("a namespace renamed: it is replaced, and it holds the trace store's claim", () => {
    const head = structuredClone(prod);
    (find(head, "ns-tracing").inputs["metadata"] as Record<string, unknown>)["name"] = "traces";
    const diff = diffPlans(prod, head);
    expect(hazards(diff)).to.deep.equal([["replace", "ns-tracing", true, true]]);
    expect(diff.replaceOrDelete[0]?.reasons).to.deep.equal(['metadata.name changes ("tracing" → "traces")']);
    expect(diff.replaceOrDelete[0]?.data).to.match(
      /^a namespace that holds data \(.*observability-tracing-jaeger-badger/,
    );
    expect(diff.dataAtRisk).to.equal(true);
  });

  it("a release moved to another namespace: Helm installs a new release, without the old one's volumes", () => {
    const head = structuredClone(prod);
    find(head, "loki").inputs["namespace"] = "logs";
    const diff = diffPlans(prod, head);
    expect(hazards(diff)).to.deep.equal([["replace", "loki", true, false]]);
    expect(diff.replaceOrDelete[0]?.reasons).to.deep.equal([
      'the release\'s namespace changes ("logging" → "logs"): Helm installs a new release',
    ]);
    expect(diff.replaceOrDelete[0]?.data).to.equal(
      "a Helm release with persistent volumes (backend.persistence, write.persistence)",
    );
    expect(diff.dataAtRisk).to.equal(true);
  });

  it("a volume claim's size lowered: the claim is replaced, since no volume shrinks", async () => {
    const head = await planOf(
      stackInput("prod", {
        tracing: {
          storage: "badger",
          retention: "7d",
          badger: { size: "20Gi" },
          collector: { enabled: true, replicas: 2, samplingPercent: 25 },
        },
      }),
    );
    const diff = diffPlans(prod, head);
    expect(hazards(diff)).to.deep.equal([["replace", "observability-tracing-jaeger-badger", true, true]]);
    expect(diff.replaceOrDelete[0]?.reasons).to.deep.equal([
      'spec changes, which Kubernetes does not change in place (size "50Gi" → "20Gi", it shrinks)',
    ]);
    expect(diff.dataAtRisk).to.equal(true);
  });

  it("a Service selector changed: updated in place (the selector is mutable), while a type change replaces it", () => {
    const head = structuredClone(prod);
    const spec = (find(head, "observability-tracing-otlp").inputs["spec"] ?? {}) as Record<string, unknown>;
    spec["selector"] = { "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/name": "jaeger" };
    const diff = diffPlans(prod, head);
    expect(diff.replaceOrDelete).to.deep.equal([]);
    expect(
      diff.changed.map((c) => [c.name, c.inputs.map((i) => `${i.path}: ${String(i.new)}`)]),
    ).to.deep.equal([
      [
        "observability-tracing-otlp",
        [
          'spec.selector["app.kubernetes.io/instance"]: jaeger',
          'spec.selector["app.kubernetes.io/name"]: jaeger',
        ],
      ],
    ]);
    spec["type"] = "LoadBalancer";
    expect(hazards(diffPlans(prod, head))).to.deep.equal([
      ["replace", "observability-tracing-otlp", false, false],
    ]);
  });

  describe("a part switched off", () => {
    const off = { tracing: { enabled: false } };

    it("with data retained: its claim and namespace are deleted from the stack but stay in the cluster", async () => {
      const diff = diffPlans(prod, await planOf(stackInput("prod", off)));
      const data = diff.replaceOrDelete.filter((h) => h.data !== undefined);
      expect(data.map((h) => [h.name, h.action, h.retained])).to.deep.equal([
        ["ns-tracing", "delete", true],
        ["observability-tracing-jaeger-badger", "delete", true],
      ]);
      expect(diff.dataAtRisk).to.equal(false);
      expect(renderMarkdown(diff)).to.include("retained: the delete leaves it and its data in the cluster");
    });

    it("with deletion allowed (cluster.retainData false): the data goes, and the diff says so first", async () => {
      const cluster = { type: "cloud", context: "observability-prod", retainData: false };
      const base = await planOf(stackInput("prod", { cluster }));
      const diff = diffPlans(base, await planOf(stackInput("prod", { cluster, ...off })));
      expect(
        diff.replaceOrDelete.filter((h) => h.data !== undefined).map((h) => [h.name, h.retained]),
      ).to.deep.equal([
        ["ns-tracing", false],
        ["observability-tracing-jaeger-badger", false],
      ]);
      expect(diff.dataAtRisk).to.equal(true);
      const md = renderMarkdown(diff);
      expect(md).to.include(":warning: **Data would be lost.**");
      expect(md).to.include("its data is deleted with it");
    });
  });

  describe("the cluster", () => {
    it("a changed cluster.identifier replaces the provider and every object it manages", async () => {
      const head = await planOf(
        stackInput("prod", {
          cluster: { type: "cloud", context: "observability-prod", identifier: "prod-eu-2" },
        }),
      );
      const diff = diffPlans(prod, head);
      const k8s = prod.resources.filter((r) => r.provider === "kubernetes" || r.name === "kubernetes");
      expect(diff.replaceOrDelete.map((h) => h.name)).to.deep.equal(k8s.map((r) => r.name));
      expect(diff.replaceOrDelete[0]?.reasons).to.deep.equal([
        'clusterIdentifier changes ("observability-prod" → "prod-eu-2"): another cluster',
      ]);
      expect(diff.dataAtRisk).to.equal(true);
    });

    it("adding clusterIdentifier to a deployed stack is an update of the provider, not a replacement", () => {
      const before = structuredClone(prod);
      delete find(before, "kubernetes").inputs["clusterIdentifier"];
      const diff = diffPlans(before, prod);
      expect(diff.replaceOrDelete).to.deep.equal([]);
      expect(diff.changed.map((c) => [c.name, c.inputs.map((i) => i.path)])).to.deep.equal([
        ["kubernetes", ["clusterIdentifier"]],
      ]);
      // Without an identifier on both sides, a new context may be another cluster.
      find(before, "kubernetes").inputs["context"] = "old-context";
      expect(diffPlans(before, prod).replaceOrDelete[0]?.reasons).to.deep.equal([
        'context changes ("old-context" → "observability-prod"): the provider treats it as another cluster',
      ]);
    });

    it("a renamed context with the identifier kept is an update, not a replacement", async () => {
      const head = await planOf(
        stackInput("prod", {
          cluster: { type: "cloud", context: "prod-admin", identifier: "observability-prod" },
        }),
      );
      const diff = diffPlans(prod, head);
      expect(diff.replaceOrDelete).to.deep.equal([]);
      expect(diff.changed.map((c) => c.name)).to.deep.equal(["kubernetes"]);
    });
  });

  it("generated passwords keep their inputs on unrelated updates, so they are never generated again", async () => {
    const head = await planOf(stackInput("prod", { prometheus: { replicas: 3, retention: "60d" } }));
    const diff = diffPlans(prod, head);
    expect(diff.changed.map((c) => c.name)).to.deep.equal(["kube-prometheus-stack"]);
    const passwords = head.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.map((p) => p.inputs)).to.deep.equal([
      { length: 32, special: false },
      { length: 32, special: false },
    ]);
  });
});

describe("URN aliases as the engine resolves them", () => {
  const project = "observability";
  const stack = "dev";
  const parentOld = createUrn(stack, project, undefined, "acme:index:Logs", "alloy");
  const parentNew = createUrn(stack, project, undefined, "acme:index:Logs", "logs");

  it("re-prefixes a child named after its parent when the parent was found under its former name", () => {
    expect(
      inheritedChildAlias(stack, project, "kubernetes:helm.sh/v3:Release", "logs-release", "logs", parentOld),
    ).to.equal("urn:pulumi:dev::observability::acme:index:Logs$kubernetes:helm.sh/v3:Release::alloy-release");
    const childOld = createUrn(stack, project, parentOld, "kubernetes:helm.sh/v3:Release", "alloy-release");
    const matches = matchUrns(stack, project, new Set([parentOld, childOld]), [
      { urn: parentNew, type: "acme:index:Logs", name: "logs", aliases: [parentOld] },
      {
        urn: createUrn(stack, project, parentNew, "kubernetes:helm.sh/v3:Release", "logs-release"),
        type: "kubernetes:helm.sh/v3:Release",
        name: "logs-release",
        parentUrn: parentNew,
        aliases: [],
      },
    ]);
    expect(matches.map((m) => m.old)).to.deep.equal([parentOld, childOld]);
  });

  it("prefers the resource's own URN to any alias, and inherits nothing from a parent matched by its own URN", () => {
    const child = createUrn(stack, project, parentNew, "kubernetes:core/v1:Secret", "s");
    const matches = matchUrns(stack, project, new Set([parentNew, parentOld, child]), [
      { urn: parentNew, type: "acme:index:Logs", name: "logs", aliases: [parentOld] },
      { urn: child, type: "kubernetes:core/v1:Secret", name: "s", parentUrn: parentNew, aliases: [] },
    ]);
    expect(matches.map((m) => [m.old, m.viaAlias])).to.deep.equal([
      [parentNew, false],
      [child, false],
    ]);
  });
});
