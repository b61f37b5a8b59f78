import { expect } from "chai";
import * as fs from "fs";
import { buildPlan, PlanDocument } from "../../tools/lib/plan";
import { lostUrns, readUrnList, renderUrnList } from "../../tools/lib/urn-list";
import { PROJECT_DIR } from "../lib/helpers";

const STACKS = fs
  .readdirSync(PROJECT_DIR)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

describe("the committed URN lists (urns/<stack>.txt)", function () {
  this.timeout(60000);
  const plans = new Map<string, PlanDocument>();

  before(async () => {
    for (const stack of STACKS) plans.set(stack, await buildPlan(PROJECT_DIR, stack));
  });

  function plan(stack: string): PlanDocument {
    const p = plans.get(stack);
    if (p === undefined) throw new Error(`no plan of ${stack}`);
    return p;
  }

  for (const stack of STACKS) {
    it(`of ${stack}: every listed URN is still declared or covered by an alias`, () => {
      const listed = readUrnList(PROJECT_DIR, stack);
      expect(listed, `urns/${stack}.txt is missing: run npm run urns`).to.not.equal(undefined);
      const lost = lostUrns(listed ?? [], plan(stack), "observability");
      expect(
        lost,
        "these URNs are gone without an alias: the engine would delete them and create new ones. Add an alias, or run `npm run urns` if that is the intent",
      ).to.deep.equal([]);
    });
  }

  it("catch a component type renamed without an alias, and accept it with one", () => {
    const dev = plan("dev");
    const listed = renderUrnList(dev, "observability")
      .split("\n")
      .filter((l) => l.startsWith("urn:"))
      // The list as it was before ae3f030, when the collector was observability:logging:Alloy.
      .map((u) => u.replace("$observability:logging:LogCollector", "$observability:logging:Alloy"));
    expect(lostUrns(listed, dev, "observability")).to.deep.equal([]);
    const noAlias = structuredClone(dev);
    for (const r of noAlias.resources) delete r.aliases;
    expect(lostUrns(listed, noAlias, "observability")).to.deep.equal([
      "urn:pulumi:dev::observability::observability:core:ObservabilityStack$observability:logging:Alloy::observability-alloy",
      "urn:pulumi:dev::observability::observability:core:ObservabilityStack$observability:logging:Alloy$kubernetes:helm.sh/v3:Release::alloy",
      "urn:pulumi:dev::observability::observability:core:ObservabilityStack$observability:logging:Alloy$kubernetes:monitoring.coreos.com/v1:ServiceMonitor::observability-alloy-servicemonitor",
    ]);
  });
});
