import { expect } from "chai";
import { ConfigProblem, docRows, Fields, formatProblem, readFields, Section } from "../components/kit";

const FIELDS = {
  first: { kind: "boolean", default: true, description: "First." },
  group: {
    kind: "group",
    description: "A group.",
    fields: {
      ratio: {
        kind: "number",
        default: 0.5,
        defaultOnKind: 1,
        min: 0,
        aboveMin: true,
        max: 1,
        what: "a ratio above 0 and at most 1",
        description: "A ratio.",
      },
      names: {
        kind: "strings",
        format: { re: /^[a-z]+$/, what: "a lower-case word", example: "abc" },
        default: ["x"],
        description: "Names.",
      },
      own: {
        kind: "custom",
        type: "list of things",
        defaultText: "none",
        description: "Read by its reader.",
      },
    },
  },
  last: { kind: "integer", default: 1, min: 0, max: 3, description: "Last." },
} as const satisfies Fields;

function read(raw: unknown, clusterType = "cloud"): { value: unknown; problems: string[]; order: string[] } {
  const problems: ConfigProblem[] = [];
  const order: string[] = [];
  const value = readFields(new Section("k", raw, problems), FIELDS, {
    clusterType,
    readers: {
      "group.own": (s, key) => {
        order.push(`reader ${String(s.raw(key))}`);
      },
    },
    checks: {
      "group.ratio": (s, key, v) => {
        order.push(`check ${String(v)}`);
        s.problem(key, "checked", "nothing");
      },
    },
  });
  return { value, problems: problems.map(formatProblem), order };
}

describe("field declarations", () => {
  it("read a group as a nested object, with the per-kind default of a number and a fresh default list", () => {
    const cloud = read({});
    expect(cloud.value).to.deep.equal({ first: true, group: { ratio: 0.5, names: ["x"] }, last: 1 });
    expect((read({}, "kind").value as { group: { ratio: number } }).group.ratio).to.equal(1);
    const names = (cloud.value as { group: { names: string[] } }).group.names;
    expect(names).to.not.equal(FIELDS.group.fields.names.default);
  });

  it("run a check right after its field and a custom reader on the section that holds the field", () => {
    const { problems, order } = read({ group: { ratio: "0.25", own: "mine", zzz: 1 }, last: 9 });
    expect(order).to.deep.equal(["check 0.25", "reader mine"]);
    // The check's problem comes before the group's unknown key, and both before the later field.
    expect(problems).to.deep.equal([
      "k.group.ratio: checked; nothing",
      "k.group.zzz: is not a known key; remove it or use one of: names, own, ratio",
      "k.last: must be a whole number from 0 to 3, got 9; set e.g. `pulumi config set --path k.last 1`",
    ]);
  });

  it("refuse a number outside its bounds in the declared words", () => {
    expect(read({ group: { ratio: 0 } }).problems[0]).to.equal(
      "k.group.ratio: must be a ratio above 0 and at most 1, got 0; set e.g. `pulumi config set --path k.group.ratio 0.5`",
    );
  });

  describe("string and number fields", () => {
    const MORE = {
      name: {
        kind: "string",
        required: true,
        format: { re: /^[a-z]+$/, what: "a lower-case word", example: "abc" },
        description: "A name.",
      },
      region: { kind: "string", required: true, example: "eu-west-1", description: "A region." },
      size: { kind: "string", format: "size", default: "1Gi", description: "A size." },
      share: {
        kind: "number",
        default: 100,
        min: 0,
        max: 100,
        what: "a number from 0 to 100",
        example: { value: 10, effect: "to keep one in ten" },
        description: "A share.",
      },
    } as const satisfies Fields;
    const readMore = (raw: unknown) => {
      const problems: ConfigProblem[] = [];
      const value = readFields(new Section("k", raw, problems), MORE);
      return { value, problems: problems.map(formatProblem) };
    };

    it("report a required string that is unset, and check the format of one that is set", () => {
      expect(readMore({}).problems).to.deep.equal([
        "k.name: is required but not set; set it, e.g. `pulumi config set --path k.name abc`",
        "k.region: is required but not set; set it, e.g. `pulumi config set --path k.region eu-west-1`",
      ]);
      expect(readMore({ name: "Abc", region: 1 }).problems).to.deep.equal([
        'k.name: must be a lower-case word, got "Abc"; set e.g. `pulumi config set --path k.name abc`',
        "k.region: must be a non-empty string, got 1; set a string, e.g. `pulumi config set --path k.region eu-west-1`",
      ]);
      expect(readMore({ name: "abc", region: "r" }).value).to.deep.equal({
        name: "abc",
        region: "r",
        size: "1Gi",
        share: 100,
      });
    });

    it("refuse a volume size of 0", () => {
      expect(readMore({ name: "abc", region: "r", size: "0Gi" }).problems).to.deep.equal([
        'k.size: must be more than 0, got "0Gi"; set a size, e.g. `pulumi config set --path k.size 1Gi`',
      ]);
      expect(readMore({ name: "abc", region: "r", size: "2Gi" }).value.size).to.equal("2Gi");
    });

    it("suggest a number's declared example, with what it does, instead of its default", () => {
      expect(readMore({ name: "abc", region: "r", share: 150 }).problems).to.deep.equal([
        "k.share: must be a number from 0 to 100, got 150; set e.g. `pulumi config set --path k.share 10` to keep one in ten",
      ]);
    });

    it("show the constraints in the reference", () => {
      expect(
        docRows("k", { kind: "object", description: "K.", fields: MORE }).map((r) => r.constraints),
      ).to.deep.equal([
        "a lower-case word",
        "",
        "a volume size such as 10Gi, from 1Mi to 64Ti",
        "a number from 0 to 100",
      ]);
    });
  });

  it("document a custom field's declared fields below it, and its constraints", () => {
    const rows = docRows("k", {
      kind: "object",
      description: "K.",
      fields: {
        store: {
          kind: "custom",
          type: "object",
          defaultText: "none",
          constraints: "set as a whole",
          description: "Read by its reader.",
          fields: {
            type: { kind: "enum", values: ["a", "b"], default: "a", description: "Which." },
            bucket: { kind: "string", required: true, description: "The bucket." },
          },
        },
      },
    });
    expect(rows.map((r) => [r.path, r.type, r.default, r.constraints])).to.deep.equal([
      ["k.store", "object", "none", "set as a whole"],
      ["k.store.type", "a | b", "a", ""],
      ["k.store.bucket", "string", "required", ""],
    ]);
  });

  it("document a group by its own row, followed by its fields", () => {
    const rows = docRows("k", { kind: "object", description: "K.", fields: FIELDS });
    expect(rows.map((r) => [r.path, r.type, r.default, r.constraints])).to.deep.equal([
      ["k.first", "boolean", "true", ""],
      ["k.group", "object", "", ""],
      ["k.group.ratio", "number", "1 on kind, 0.5 on cloud", "a ratio above 0 and at most 1"],
      ["k.group.names", "list of strings", "[x]", "each a lower-case word, listed once"],
      ["k.group.own", "list of things", "none", ""],
      ["k.last", "integer", "1", "from 0 to 3"],
    ]);
  });
});
