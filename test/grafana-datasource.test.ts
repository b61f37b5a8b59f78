import { expect } from "chai";
import { parse } from "yaml";
import { datasourceProvisioning } from "../components/grafana";

describe("Grafana datasource provisioning", () => {
  it("writes Grafana's provisioning format with fixed uids, proxied and read-only", () => {
    const text = datasourceProvisioning([
      {
        name: "Loki",
        type: "loki",
        uid: "loki",
        url: "http://loki-gateway.logging.svc",
        jsonData: { maxLines: 1000 },
      },
    ]);
    expect(parse(text)).to.deep.equal({
      apiVersion: 1,
      datasources: [
        {
          name: "Loki",
          type: "loki",
          uid: "loki",
          access: "proxy",
          url: "http://loki-gateway.logging.svc",
          isDefault: false,
          editable: false,
          jsonData: { maxLines: 1000 },
        },
      ],
    });
  });
});
