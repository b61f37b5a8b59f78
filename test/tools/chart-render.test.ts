import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
  findHelm,
  helmTemplate,
  RenderedContainer,
  renderedContainers,
  RenderedObject,
} from "../../tools/lib/helm";
import { PlanDocument } from "../../tools/lib/plan";
import { CHARTS } from "../../components/core";
import { parseStackConfig } from "../../components/core";
import { STACKS } from "../../tools/resources";
import { HELM_RELEASE, plan, stackRawConfig } from "../lib/helpers";
import { requireHelm } from "../lib/helm";
import { requireUpstream, upstreamPath } from "../lib/upstream";

interface ReleaseRender {
  release: string;
  chart: string;
  objects: number;
  containers: RenderedContainer[];
  rendered: RenderedObject[];
}

/** "release/StatefulSet whenDeleted" for each StatefulSet with claim templates (Retain when unset). */
function claimPolicies(renders: readonly ReleaseRender[]): string[] {
  return renders.flatMap((r) =>
    r.rendered
      .filter((o) => o.kind === "StatefulSet" && Array.isArray(o.spec?.["volumeClaimTemplates"]))
      .map((o) => {
        const policy = o.spec?.["persistentVolumeClaimRetentionPolicy"] as
          { whenDeleted?: string } | undefined;
        return `${r.release}/${o.metadata.name} ${policy?.whenDeleted ?? "Retain"}`;
      }),
  );
}

/** Renders every Helm release of a stack's offline plan with the real chart archive at its pinned version. */
function renderPlan(helm: string, doc: PlanDocument): ReleaseRender[] {
  const out: ReleaseRender[] = [];
  for (const r of doc.resources.filter((x) => x.type === HELM_RELEASE)) {
    const chart = String(r.inputs["chart"]).split("/").pop() ?? "";
    const archive = path.join(upstreamPath("charts"), `${chart}-${String(r.inputs["version"])}.tgz`);
    if (!fs.existsSync(archive)) {
      throw new Error(`${archive} is missing: the charts in ../shared/charts must cover every pinned chart`);
    }
    const objects = helmTemplate(helm, {
      archive,
      release: String(r.inputs["name"]),
      namespace: String(r.inputs["namespace"]),
      values: r.inputs["values"],
    });
    out.push({
      release: String(r.inputs["name"]),
      chart,
      objects: objects.length,
      containers: renderedContainers(objects),
      rendered: objects,
    });
  }
  return out;
}

describe("every release rendered with the real charts", function () {
  this.timeout(300000);

  for (const stack of STACKS) {
    it(`of ${stack} renders, and every container that runs has CPU and memory requests and a memory limit`, async function () {
      requireUpstream(this, "charts");
      const helm = requireHelm(this);
      const renders = renderPlan(helm, await plan(stack));
      expect(renders.length, "releases").to.be.greaterThan(3);
      const running = renders.flatMap((r) =>
        r.containers.filter((c) => c.replicas > 0).map((c) => ({ ...c, release: r.release })),
      );
      const unsized = running
        .filter((c) => c.cpu === undefined || c.memory === undefined || c.memoryLimit === undefined)
        .map((c) => `${c.release}: ${c.workload} container ${c.container}${c.init ? " (init)" : ""}`);
      expect(unsized, "containers without a CPU or memory request or a memory limit").to.deep.equal([]);
      const idle = renders.flatMap((r) => r.containers.filter((c) => c.replicas === 0));
      console.log(
        `      ${stack}: ${renders.length} releases, ${renders.reduce((n, r) => n + r.objects, 0)} objects, ` +
          `${running.length} containers checked (${running.filter((c) => c.init).length} init), ` +
          `${idle.length} in workloads scaled to zero`,
      );
    });
  }

  for (const stack of STACKS) {
    it(`of ${stack} keeps every StatefulSet's claims on delete exactly when cluster.retainData is true`, async function () {
      requireUpstream(this, "charts");
      const helm = requireHelm(this);
      const { retainData } = parseStackConfig(stackRawConfig(stack)).cluster;
      const policies = claimPolicies(renderPlan(helm, await plan(stack)));
      const loki = policies.filter((p) => p.startsWith("loki/"));
      expect(loki, "Loki's StatefulSets with claims").to.not.deep.equal([]);
      if (retainData) {
        expect(
          policies.filter((p) => p.endsWith(" Delete")),
          "claims deleted with their StatefulSet",
        ).to.deep.equal([]);
      } else {
        // Loki states its policy in every mode; the other charts leave Kubernetes' Retain.
        expect(
          loki.filter((p) => !p.endsWith(" Delete")),
          "Loki claims kept with retainData false",
        ).to.deep.equal([]);
      }
      console.log(`      ${stack} (retainData ${String(retainData)}): ${policies.join(", ")}`);
    });
  }

  it("fails with helm's own message when a chart rejects its values", function () {
    requireUpstream(this, "charts");
    const helm = requireHelm(this);
    const archive = path.join(upstreamPath("charts"), `loki-${CHARTS.loki.version}.tgz`);
    expect(() =>
      helmTemplate(helm, {
        archive,
        release: "loki",
        namespace: "logging",
        values: { deploymentMode: "Distributed" },
      }),
    ).to.throw(
      /helm template loki \(loki-[0-9.]+\.tgz\) failed: Error: execution error at .*: Please define loki\.storage\.bucketNames\.chunks/,
    );
  });
});

describe("finding helm", () => {
  it("names $HELM and says it does not run when it points at nothing", () => {
    const before = process.env["HELM"];
    process.env["HELM"] = "/nonexistent/helm";
    try {
      expect(findHelm()).to.deep.equal({ missing: "$HELM (/nonexistent/helm) does not run" });
    } finally {
      if (before === undefined) delete process.env["HELM"];
      else process.env["HELM"] = before;
    }
  });

  it("fails under CI=true when helm is missing, naming what to do, and skips with the reason elsewhere", () => {
    const saved = { HELM: process.env["HELM"], CI: process.env["CI"] };
    const restore = () => {
      if (saved.HELM === undefined) delete process.env["HELM"];
      else process.env["HELM"] = saved.HELM;
      if (saved.CI === undefined) delete process.env["CI"];
      else process.env["CI"] = saved.CI;
    };
    let skipped = false;
    const ctx = {
      skip: () => {
        skipped = true;
        throw new Error("skipped");
      },
    } as unknown as Mocha.Context;
    try {
      process.env["HELM"] = "/nonexistent/helm";
      process.env["CI"] = "true";
      expect(() => requireHelm(ctx)).to.throw(
        "$HELM (/nonexistent/helm) does not run (CI=true: CI must provide helm)",
      );
      expect(skipped).to.equal(false);
      delete process.env["CI"];
      expect(() => requireHelm(ctx)).to.throw("skipped");
      expect(skipped).to.equal(true);
    } finally {
      restore();
    }
  });
});
