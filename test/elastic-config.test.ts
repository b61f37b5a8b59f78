import { expect } from "chai";
import { errorFor } from "./lib/config-error";
import { stackRawConfig } from "./lib/helpers";
import { parseStackConfig } from "../components/core";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const cloud = { cluster: { type: "cloud", context: "prod" } };
const on = (elastic: Record<string, unknown>) => ({ ...kind, elastic: { enabled: true, ...elastic } });

describe("the elastic config", () => {
  it("is off by default, with one every-role node and the default lifecycle", () => {
    expect(parseStackConfig(kind).elastic).to.deep.equal({
      enabled: false,
      version: "9.5.0",
      nodeSets: [{ name: "default", count: 1 }],
      hotWarm: false,
      allowMmap: false,
      kibana: { replicas: 1 },
      filebeat: { enabled: true },
      ilm: { rolloverMaxAge: "1d", rolloverMaxPrimaryShardSize: "50gb", warmAfter: "7d", deleteAfter: "30d" },
    });
  });

  it("lets Elasticsearch memory-map only when told, on kind and cloud alike", () => {
    expect(parseStackConfig(cloud).elastic.allowMmap).to.equal(false);
    expect(parseStackConfig({ ...cloud, elastic: { allowMmap: true } }).elastic.allowMmap).to.equal(true);
  });

  it("stays off in dev and is on in prod, with dedicated masters and a hot and a warm tier", () => {
    expect(parseStackConfig(stackRawConfig("dev")).elastic.enabled).to.equal(false);
    const prod = parseStackConfig(stackRawConfig("prod")).elastic;
    expect(prod.enabled).to.equal(true);
    expect(prod.hotWarm).to.equal(true);
    expect(prod.kibana.replicas).to.equal(2);
    expect(prod.nodeSets).to.deep.equal([
      { name: "master", count: 3, roles: ["master"], storage: { size: "10Gi" } },
      { name: "hot", count: 2, roles: ["data_hot", "data_content", "ingest"], storage: { size: "200Gi" } },
      { name: "warm", count: 2, roles: ["data_warm"], storage: { size: "500Gi" } },
    ]);
  });

  it("reads node sets as `pulumi config set --path` writes them, counts as text included", () => {
    const cfg = parseStackConfig(on({ nodeSets: [{ name: "all", count: "3", roles: ["master", "data"] }] }));
    expect(cfg.elastic.nodeSets).to.deep.equal([{ name: "all", count: 3, roles: ["master", "data"] }]);
  });

  it("accepts a mistake-free config that is off without checking its cluster rules", () => {
    expect(parseStackConfig({ ...kind, elastic: { nodeSets: [] } }).elastic.nodeSets).to.deep.equal([]);
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "ELK on with zero nodes",
        on({ nodeSets: [{ name: "default", count: 0 }] }),
        "Invalid stack config: elastic.nodeSets: has no nodes (their counts add up to 0) but elastic.enabled is true; give a node set a count, e.g. `pulumi config set --path 'elastic.nodeSets[0].count' 1`, or set `pulumi config set --path elastic.enabled false`",
      ],
      [
        "ELK on with no node sets",
        on({ nodeSets: [] }),
        "Invalid stack config: elastic.nodeSets: has no nodes (their counts add up to 0) but elastic.enabled is true; give a node set a count, e.g. `pulumi config set --path 'elastic.nodeSets[0].count' 1`, or set `pulumi config set --path elastic.enabled false`",
      ],
      [
        "no master-eligible node",
        on({ nodeSets: [{ name: "data", count: 2, roles: ["data_content", "data_hot"] }] }),
        "Invalid stack config: elastic.nodeSets: has no master-eligible node, and a cluster cannot form without one; add master to the roles of a node set, or leave its roles unset (which means every role)",
      ],
      [
        "no node for system indices",
        on({
          nodeSets: [
            { name: "master", roles: ["master"] },
            { name: "hot", roles: ["data_hot"] },
          ],
        }),
        "Invalid stack config: elastic.nodeSets: has no node with the data_content (or data) role, which holds Kibana's and other system indices; add data_content to the roles of a node set that holds data (the hot one in a hot-warm cluster)",
      ],
      [
        "hot-warm tiers without node sets for either",
        on({ hotWarm: true }),
        "Invalid stack config: elastic.hotWarm: is true but no node in elastic.nodeSets has the data_hot and data_warm roles; add node sets with roles [data_hot, data_content, ingest] and [data_warm], or set `pulumi config set --path elastic.hotWarm false`",
      ],
      [
        "hot-warm tiers without a warm node set",
        on({ hotWarm: true, nodeSets: [{ name: "hot", roles: ["master", "data_hot", "data_content"] }] }),
        "Invalid stack config: elastic.hotWarm: is true but no node in elastic.nodeSets has the data_warm role; add node sets with roles [data_hot, data_content, ingest] and [data_warm], or set `pulumi config set --path elastic.hotWarm false`",
      ],
      [
        "a warm tier the lifecycle would not use",
        on({
          nodeSets: [
            { name: "hot", roles: ["master", "data_hot", "data_content"] },
            { name: "warm", roles: ["data_warm"] },
          ],
        }),
        "Invalid stack config: elastic.hotWarm: is false but elastic.nodeSets has data_warm nodes, to which the lifecycle would never move an index; set `pulumi config set --path elastic.hotWarm true`, or remove the data_warm role",
      ],
      [
        "a delete phase shorter than rollover",
        on({ ilm: { rolloverMaxAge: "7d", warmAfter: "1d", deleteAfter: "3d" } }),
        "Invalid stack config: elastic.ilm.deleteAfter: is 3d, shorter than elastic.ilm.rolloverMaxAge (7d), so how long logs are kept would depend on the rollover age more than on deleteAfter; set it to at least the rollover age, e.g. `pulumi config set --path elastic.ilm.deleteAfter 30d`",
      ],
      [
        "a delete phase no later than warm",
        on({ ilm: { deleteAfter: "168h" } }),
        "Invalid stack config: elastic.ilm.deleteAfter: is 168h, not longer than elastic.ilm.warmAfter (7d): the delete phase must come after the warm phase; set it longer than warmAfter, e.g. `pulumi config set --path elastic.ilm.deleteAfter 30d`",
      ],
      [
        "an unknown Elastic version",
        on({ version: "8.0.0" }),
        'Invalid stack config: elastic.version: must be one of 9.5.0, got "8.0.0"; set one of them, e.g. `pulumi config set --path elastic.version 9.5.0`',
      ],
      [
        "times and sizes Elasticsearch does not take",
        on({ ilm: { rolloverMaxAge: "1d12h", rolloverMaxPrimaryShardSize: "50GB" } }),
        "Invalid stack config (2 problems):\n" +
          '  - elastic.ilm.rolloverMaxAge: must be a time in one unit such as 30s, 15m, 12h or 7d, got "1d12h"; set e.g. `pulumi config set --path elastic.ilm.rolloverMaxAge 1d`\n' +
          '  - elastic.ilm.rolloverMaxPrimaryShardSize: must be a size such as 512mb or 50gb, got "50GB"; set e.g. `pulumi config set --path elastic.ilm.rolloverMaxPrimaryShardSize 50gb`',
      ],
      [
        "an unknown role",
        on({ nodeSets: [{ name: "all", roles: ["master", "data", "coordinating"] }] }),
        "Invalid stack config: elastic.nodeSets[0].roles[2]: must be one of master, data, data_content, data_hot, data_warm, data_cold, data_frozen, ingest, ml, remote_cluster_client, transform, voting_only, got \"coordinating\"; set one of them, e.g. `pulumi config set --path 'elastic.nodeSets[0].roles[2]' master`",
      ],
      [
        "roles that are not a list",
        on({ nodeSets: [{ name: "all", roles: "master" }] }),
        "Invalid stack config: elastic.nodeSets[0].roles: must be a list of master, data, data_content, data_hot, data_warm, data_cold, data_frozen, ingest, ml, remote_cluster_client, transform, voting_only, got \"master\"; set its items one by one, e.g. `pulumi config set --path 'elastic.nodeSets[0].roles[0]' master`",
      ],
      [
        "two node sets of one name",
        on({ nodeSets: [{ name: "a" }, { name: "a" }] }),
        'Invalid stack config: elastic.nodeSets[1].name: "a" is already the name of elastic.nodeSets[0]; give every node set its own name',
      ],
      [
        "a node set name ECK would refuse",
        on({ nodeSets: [{ name: "Hot_Nodes" }] }),
        "Invalid stack config: elastic.nodeSets[0].name: must be 1 to 23 lowercase letters, digits or dashes, got \"Hot_Nodes\"; set e.g. `pulumi config set --path 'elastic.nodeSets[0].name' hot`",
      ],
      [
        "a node set without a name",
        on({ nodeSets: [{ count: 1 }] }),
        "Invalid stack config: elastic.nodeSets[0].name: is required but not set; set it, e.g. `pulumi config set --path 'elastic.nodeSets[0].name' default`",
      ],
      [
        "node sets that are not a list",
        on({ nodeSets: { name: "a" } }),
        "Invalid stack config: elastic.nodeSets: must be a list, got an object; set its items one by one, e.g. `pulumi config set --path 'elastic.nodeSets[0].<field>' <value>`",
      ],
      [
        "a storage without a size",
        on({ nodeSets: [{ name: "a", storage: {} }] }),
        "Invalid stack config: elastic.nodeSets[0].storage.size: is required but not set; set it, e.g. `pulumi config set --path 'elastic.nodeSets[0].storage.size' 50Gi`",
      ],
      [
        "a misspelt node set field",
        on({ nodeSets: [{ name: "a", cuont: 2 }] }),
        "Invalid stack config: elastic.nodeSets[0].cuont: is not a known key; remove it or use one of: count, name, roles, storage",
      ],
      [
        "a misspelt elastic field",
        { ...kind, elastic: { enabeld: true } },
        "Invalid stack config: elastic.enabeld: is not a known key; remove it or use one of: allowMmap, enabled, filebeat, hotWarm, ilm, kibana, nodeSets, version",
      ],
    ];
    for (const [what, raw, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor(raw)).to.equal(message);
      });
    }
  });
});
