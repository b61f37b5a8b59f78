import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { LAPTOP_BUDGET, planContainers, withinLaptopBudget } from "../tools/lib/budget";
import { END, RESOURCES_DOC, resourceTables, START } from "../tools/resources";
import { plan, PROJECT_DIR } from "./lib/helpers";
import { CONTAINER_IDS, DEFAULT_RESOURCES } from "../components/core";
import { parseQuantity, totalRequests } from "../components/kit";

describe("resource requests", () => {
  for (const stack of ["dev", "prod"]) {
    it(`give every container of ${stack} a CPU and memory request and a memory limit at or above it`, async () => {
      const usage = planContainers(await plan(stack));
      expect(usage.length).to.be.greaterThan(5);
      for (const u of usage) {
        const what = `${u.release}/${u.container}`;
        expect(u.cpu, `${what} cpu`).to.be.a("string");
        expect(u.memory, `${what} memory`).to.be.a("string");
        expect(u.memoryLimit, `${what} memory limit`).to.be.a("string");
        expect(parseQuantity(u.memoryLimit ?? "0"), what).to.be.at.least(parseQuantity(u.memory ?? "0"));
      }
    });
  }

  it("keep the whole dev stack, injected sidecars included, within 1.0 CPU and 2 GiB", async () => {
    const usage = planContainers(await plan("dev"));
    const total = totalRequests(usage);
    expect(total.cpu).to.be.at.most(LAPTOP_BUDGET.cpu);
    expect(total.memory).to.be.at.most(LAPTOP_BUDGET.memory);
    expect(withinLaptopBudget(usage)).to.equal(true);
  });

  it("size prod above dev for every container", async () => {
    const dev = planContainers(await plan("dev"));
    const prod = planContainers(await plan("prod"));
    // Prod runs Loki as SimpleScalable: its single binary exists in dev only.
    const devOnly = dev.filter(
      (d) => !prod.some((x) => x.release === d.release && x.container === d.container),
    );
    expect(devOnly.map((d) => `${d.release}/${d.container}`)).to.deep.equal(["loki/single-binary"]);
    for (const d of dev) {
      const p = prod.find((x) => x.release === d.release && x.container === d.container);
      if (p === undefined) continue;
      expect(parseQuantity(p.memory ?? "0"), d.container).to.be.at.least(parseQuantity(d.memory ?? "0"));
    }
    for (const id of CONTAINER_IDS) {
      const [laptop, production] = [DEFAULT_RESOURCES.laptop[id], DEFAULT_RESOURCES.production[id]];
      expect(parseQuantity(production.memory), id).to.be.at.least(parseQuantity(laptop.memory));
      expect(parseQuantity(production.cpu), id).to.be.at.least(parseQuantity(laptop.cpu));
    }
  });

  it("keep the dev logs part (Loki, gateway, collector) within 350m CPU and 800Mi", async () => {
    const usage = planContainers(await plan("dev")).filter((u) => ["loki", "alloy"].includes(u.release));
    expect(usage.map((u) => `${u.release}/${u.container}`)).to.deep.equal([
      "loki/single-binary",
      "loki/gateway (nginx)",
      "alloy/alloy",
      "alloy/config-reloader",
    ]);
    const total = totalRequests(usage);
    expect(total.cpu).to.be.at.most(0.35);
    expect(total.memory).to.be.at.most(800 * 2 ** 20);
  });

  it(`are what the tables of ${RESOURCES_DOC} say`, async () => {
    const page = fs.readFileSync(path.join(PROJECT_DIR, RESOURCES_DOC), "utf8");
    const start = page.indexOf(START);
    const end = page.indexOf(END);
    expect(start, `${RESOURCES_DOC} resources markers`).to.be.greaterThan(-1);
    expect(page.slice(start + START.length, end).trim(), "run `npm run resources -- --write`").to.equal(
      (await resourceTables(PROJECT_DIR)).trim(),
    );
  });
});
