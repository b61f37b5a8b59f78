import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { nodesNeeded, parseNodeShape, StackPods, stackPods } from "../tools/lib/node-sizing";
import { NODES_END, NODES_START, nodeCountOf, nodeTable, RESOURCES_DOC } from "../tools/resources";
import { plan, PROJECT_DIR } from "./lib/helpers";
import type { ContainerUsage } from "../components/kit";

const GI = 2 ** 30;
const node = (cpu: number, memoryGi: number, pods = 110) => ({ cpu, memory: memoryGi * GI, pods });
const noDaemonSets: StackPods["perNode"] = { cpu: 0, memory: 0, pods: 0, names: [] };

describe("node sizing", () => {
  describe("--node", () => {
    it("reads CPU, memory and an optional pod limit", () => {
      expect(parseNodeShape("8/32Gi")).to.deep.equal({ cpu: 8, memory: 32 * GI, pods: 110 });
      expect(parseNodeShape("7910m/29Gi/58")).to.deep.equal({ cpu: 7.91, memory: 29 * GI, pods: 58 });
    });

    it("refuses anything else, naming the form", () => {
      for (const bad of ["8", "8/32", "8/32GB", "eight/32Gi", "8/32Gi/x", "8/32Gi/58/1"]) {
        expect(() => parseNodeShape(bad), bad).to.throw(
          `--node takes <cpu>/<memory>[/<pods>], e.g. 8/32Gi or 8/32Gi/58; got "${bad}"`,
        );
      }
    });
  });

  describe("pods from the plan's containers", () => {
    const rows: ContainerUsage[] = [
      {
        release: "kube-prometheus-stack",
        container: "grafana",
        runs: "pod",
        count: 1,
        cpu: "250m",
        memory: "512Mi",
      },
      {
        release: "kube-prometheus-stack",
        container: "grafana sidecars (dashboards, datasources)",
        runs: "pod",
        count: 2,
        cpu: "20m",
        memory: "96Mi",
      },
      {
        release: "kube-prometheus-stack",
        container: "grafana init-chown-data",
        runs: "init",
        count: 1,
        cpu: "10m",
        memory: "32Mi",
      },
      {
        release: "kube-prometheus-stack",
        container: "node-exporter",
        runs: "node",
        count: 1,
        cpu: "50m",
        memory: "64Mi",
      },
      { release: "alloy", container: "alloy", runs: "node", count: 1, cpu: "200m", memory: "512Mi" },
      { release: "alloy", container: "config-reloader", runs: "node", count: 1, cpu: "10m", memory: "32Mi" },
      { release: "loki", container: "write", runs: "pod", count: 3, cpu: "500m", memory: "2Gi" },
      { release: "loki", container: "ingester", runs: "pod", count: 6, cpu: "2", memory: "4Gi" },
      {
        release: "jaeger",
        container: "es-index-cleaner",
        runs: "cron",
        count: 1,
        cpu: "50m",
        memory: "64Mi",
      },
    ];

    it("puts sidecars in their pod, per replica, and leaves init, hook and cron containers out", () => {
      const { pods } = stackPods(rows);
      expect(pods).to.deep.equal([
        { release: "kube-prometheus-stack", pod: "grafana", replicas: 1, cpu: 0.29, memory: 704 * 2 ** 20 },
        { release: "loki", pod: "write", replicas: 3, cpu: 0.5, memory: 2 * GI, spread: { kind: "node" } },
        {
          release: "loki",
          pod: "ingester",
          replicas: 6,
          cpu: 2,
          memory: 4 * GI,
          spread: { kind: "zones", zones: 3 },
        },
      ]);
    });

    it("counts the DaemonSets on every node, one pod each", () => {
      expect(stackPods(rows).perNode).to.deep.equal({
        cpu: 0.26,
        memory: 608 * 2 ** 20,
        pods: 2,
        names: ["alloy alloy", "kube-prometheus-stack node-exporter"],
      });
    });
  });

  describe("the smallest node count", () => {
    const pod = (
      name: string,
      replicas: number,
      cpu: number,
      memoryGi: number,
      spread?: StackPods["pods"][number]["spread"],
    ) => ({
      release: "r",
      pod: name,
      replicas,
      cpu,
      memory: memoryGi * GI,
      ...(spread !== undefined ? { spread } : {}),
    });

    it("is bound by CPU when the requests need it", () => {
      const n = nodesNeeded({ pods: [pod("a", 10, 1, 1)], perNode: noDaemonSets }, node(4, 64));
      expect(n.nodes).to.equal(3);
      expect(n.binding).to.deep.equal(["cpu"]);
    });

    it("is bound by memory, after what the DaemonSets take on every node", () => {
      const perNode = { cpu: 0.5, memory: 2 * GI, pods: 1, names: ["d"] };
      const n = nodesNeeded({ pods: [pod("a", 7, 0.1, 6)], perNode }, node(16, 14));
      // 12Gi left per node: two pods each, so four nodes for seven.
      expect(n.nodes).to.equal(4);
      expect(n.binding).to.deep.equal(["memory"]);
      expect(n.why[0]).to.equal(
        "memory: the pods request 42Gi, and each node has 12Gi left after the DaemonSets",
      );
    });

    it("is bound by hard anti-affinity when replicas may not share a node", () => {
      const n = nodesNeeded(
        { pods: [pod("w", 3, 0.1, 0.1, { kind: "node" })], perNode: noDaemonSets },
        node(64, 256),
      );
      expect(n.nodes).to.equal(3);
      expect(n.binding).to.deep.equal(["anti-affinity"]);
      expect(n.why[0]).to.equal("hard anti-affinity: no two replicas of r w (3 each) may share a node");
    });

    it("is bound by the zone spread: zones never share a node, replicas of one zone may", () => {
      const n = nodesNeeded(
        { pods: [pod("ingester", 6, 0.1, 0.1, { kind: "zones", zones: 3 })], perNode: noDaemonSets },
        node(64, 256),
      );
      expect(n.nodes).to.equal(3);
      expect(n.binding).to.deep.equal(["zones"]);
    });

    it("is bound by packing when no bound alone explains it, and the count is exact", () => {
      // Three pods of 60% of a node: CPU alone says 2, but no two fit on one node.
      const n = nodesNeeded({ pods: [pod("a", 3, 2.4, 1)], perNode: noDaemonSets }, node(4, 64));
      expect(n.bounds.cpu).to.equal(2);
      expect(n.nodes).to.equal(3);
      expect(n.binding).to.deep.equal(["packing"]);
      // 4, 4, 3, 3, 2, 2 cores on 9-core nodes: first-fit decreasing takes 3 nodes, {4, 3, 2} twice fits 2.
      const mix = nodesNeeded(
        { pods: [pod("a", 2, 4, 1), pod("b", 2, 3, 1), pod("c", 2, 2, 1)], perNode: noDaemonSets },
        node(9, 64),
      );
      expect(mix.nodes).to.equal(2);
    });

    it("is bound by the node's pod limit", () => {
      const perNode = { cpu: 0, memory: 0, pods: 3, names: ["x", "y", "z"] };
      const n = nodesNeeded({ pods: [pod("a", 20, 0.01, 0.01)], perNode }, node(64, 256, 8));
      expect(n.nodes).to.equal(4);
      expect(n.binding).to.deep.equal(["pods"]);
    });

    it("names a pod that fits no node", () => {
      const n = nodesNeeded({ pods: [pod("big", 1, 2, 40)], perNode: noDaemonSets }, node(8, 32));
      expect(n.nodes).to.equal(undefined);
      expect(n.tooBig?.pod).to.equal("big");
    });
  });

  describe("the example stacks", () => {
    it("prod needs 3 nodes of 8 CPU / 32Gi: requests and Loki's hard anti-affinity bind together", async () => {
      const n = nodeCountOf(await plan("prod"), parseNodeShape("8/32Gi"));
      expect(n.nodes).to.equal(3);
      expect(n.binding).to.include("anti-affinity");
      expect(n.why).to.include(
        "hard anti-affinity: no two replicas of loki write, loki read, loki backend (3 each) may share a node",
      );
    });

    it("large's zone-aware ingesters need 3 nodes whatever their size", async () => {
      const n = nodeCountOf(await plan("large"), parseNodeShape("64/512Gi"));
      expect(n.bounds.zones).to.equal(3);
      expect(n.nodes).to.equal(4);
      expect(n.binding).to.deep.equal(["anti-affinity"]);
    });

    it(`are what ${RESOURCES_DOC} says`, async () => {
      const page = fs.readFileSync(path.join(PROJECT_DIR, RESOURCES_DOC), "utf8");
      const start = page.indexOf(NODES_START);
      const end = page.indexOf(NODES_END);
      expect(start, `${RESOURCES_DOC} nodes markers`).to.be.greaterThan(-1);
      const plans = { dev: await plan("dev"), prod: await plan("prod"), large: await plan("large") };
      expect(
        page.slice(start + NODES_START.length, end).trim(),
        "run `npm run resources -- --write`",
      ).to.equal((await nodeTable(PROJECT_DIR, plans)).trim());
    });
  });
});
