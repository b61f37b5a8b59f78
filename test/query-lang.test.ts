import { expect } from "chai";
import { labelValues, logqlErrors, promqlErrors, variablesUsed } from "./lib/query-lang";

describe("the query checks the dashboard and rule tests rely on", () => {
  it("accept valid PromQL and LogQL, Grafana's interval variables included", () => {
    expect(
      promqlErrors('sum by (job) (rate(up{namespace=~"$namespace"}[$__rate_interval])) > 0'),
    ).to.deep.equal([]);
    expect(
      logqlErrors('sum by (pod) (rate({namespace=~"$namespace"} |~ "$search" [$__interval]))'),
    ).to.deep.equal([]);
  });

  it("refuse broken PromQL: an unclosed call, a missing operand, an unknown function, nothing at all", () => {
    for (const bad of ["sum by (x) (rate(a[5m])", "up ==", "rated(up[5m])", "rate(up[5 m])", " "]) {
      expect(promqlErrors(bad), bad).to.have.length.greaterThan(0);
    }
  });

  it("refuse broken LogQL", () => {
    for (const bad of ['{namespace="a" |~ "x"', 'rate({a="b"}[5m]', "namespace=a"]) {
      expect(logqlErrors(bad), bad).to.have.length.greaterThan(0);
    }
  });

  it("read label_values queries and the variables an expression uses", () => {
    expect(labelValues('label_values(up{namespace=~"$namespace"}, job)')).to.deep.equal({
      selector: 'up{namespace=~"$namespace"}',
      label: "job",
    });
    expect(labelValues("label_values(namespace)")).to.deep.equal({ label: "namespace" });
    expect(labelValues("query_result(up)")).to.equal(undefined);
    expect(variablesUsed('rate(x{a=~"$namespace", b="${service}"}[$__rate_interval])')).to.deep.equal([
      "namespace",
      "service",
    ]);
  });
});
