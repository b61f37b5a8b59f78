import { expect } from "chai";
import { planOf, PlanDocument, PlanResource } from "../../tools/lib/plan";
import { diffPlans, diffValues, renderMarkdown } from "../../tools/lib/plan-diff";
import { stackInput } from "../lib/helpers";

interface Dashboard {
  title: string;
  panels: { title: string; targets?: { refId: string; expr: string }[]; gridPos?: Record<string, number> }[];
  templating: { list: { name: string; label?: string }[] };
}

const FILE = "grafana-dashboard-logs.json";

function configMap(plan: PlanDocument): PlanResource {
  const r = plan.resources.find((x) => x.name === "grafana-dashboard-logs");
  if (r === undefined) throw new Error("no logs dashboard in the plan");
  return r;
}

function dashboardOf(plan: PlanDocument): Dashboard {
  return JSON.parse(String((configMap(plan).inputs["data"] as Record<string, unknown>)[FILE])) as Dashboard;
}

function withDashboard(plan: PlanDocument, edit: (d: Dashboard) => void): PlanDocument {
  const copy = structuredClone(plan);
  const d = dashboardOf(copy);
  edit(d);
  (configMap(copy).inputs["data"] as Record<string, unknown>)[FILE] = JSON.stringify(d);
  return copy;
}

function panel(d: Dashboard, title: string): Dashboard["panels"][number] {
  const p = d.panels.find((x) => x.title === title);
  if (p === undefined) throw new Error(`no panel ${title}`);
  return p;
}

describe("plan:diff of a dashboard ConfigMap", function () {
  this.timeout(60000);
  let dev: PlanDocument;
  before(async () => {
    dev = await planOf(stackInput("dev"));
  });

  it("names the changed query by panel title and refId, the variable by name, and a setting by its path", () => {
    const head = withDashboard(dev, (d) => {
      const target = panel(d, "Error lines per second").targets?.[0];
      if (target !== undefined) target.expr = target.expr.replace("[$__interval]", "[5m]");
      const search = d.templating.list.find((v) => v.name === "search");
      if (search !== undefined) search.label = "Text filter";
      d.title = "Logs (renamed)";
    });
    const diff = diffPlans(dev, head);
    expect(diff.replaceOrDelete).to.deep.equal([]);
    const inputs = diff.changed.find((c) => c.name === "grafana-dashboard-logs")?.inputs ?? [];
    const at = `data["${FILE}"] (JSON)`;
    expect(inputs.map((i) => [i.path, i.kind])).to.deep.equal([
      [`${at}.panels[title="Error lines per second"].targets[refId="A"].expr`, "changed"],
      [`${at}.templating.list[name="search"].label`, "changed"],
      [`${at}.title`, "changed"],
    ]);
  });

  it("lists a panel inserted at the top as one added panel, and a moved panel as a new order", () => {
    const at = `data["${FILE}"] (JSON).panels`;
    const inserted = withDashboard(dev, (d) => {
      d.panels.unshift({ title: "Ingest rate", gridPos: { h: 4, w: 24, x: 0, y: 0 } });
    });
    expect((diffPlans(dev, inserted).changed[0]?.inputs ?? []).map((i) => i.path)).to.deep.equal([
      `${at}[title="Ingest rate"].gridPos.h`,
      `${at}[title="Ingest rate"].gridPos.w`,
      `${at}[title="Ingest rate"].gridPos.x`,
      `${at}[title="Ingest rate"].gridPos.y`,
      `${at}[title="Ingest rate"].title`,
    ]);
    const moved = withDashboard(dev, (d) => {
      const [second] = d.panels.splice(1, 1);
      if (second !== undefined) d.panels.push(second);
    });
    expect(diffPlans(dev, moved).changed[0]?.inputs).to.deep.equal([
      {
        path: `${at} (order)`,
        kind: "changed",
        old: ["Volume", "Log lines per second", "Error lines per second", "Lines", "Logs"],
        new: ["Volume", "Error lines per second", "Lines", "Logs", "Log lines per second"],
      },
    ]);
  });

  it("keeps a dashboard change to a few lines of Markdown instead of two copies of the model", () => {
    const head = withDashboard(dev, (d) => {
      const target = panel(d, "Log lines per second").targets?.[0];
      if (target !== undefined) target.expr = target.expr.replace("sum by (pod)", "sum by (namespace, pod)");
    });
    const md = renderMarkdown(diffPlans(dev, head));
    const size = String((configMap(dev).inputs["data"] as Record<string, unknown>)[FILE]).length;
    expect(md.length).to.be.lessThan(size / 4);
    expect(md).to.include('panels[title="Log lines per second"].targets[refId="A"].expr');
  });

  it("still compares strings that are not JSON documents as strings", () => {
    expect(diffValues({ a: "{not json" }, { a: "{still not" })).to.deep.equal([
      { path: "a", kind: "changed", old: "{not json", new: "{still not" },
    ]);
  });
});
