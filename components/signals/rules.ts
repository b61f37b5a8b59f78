import { parse } from "yaml";
import { patterns } from "../kit";
import { FileProblem } from "./problems";
import { promqlSyntaxError } from "./promql";

/** One rule of a group, in Prometheus's rule file format (and a PrometheusRule's). */
export interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One rule group, in Prometheus's rule file format (and a PrometheusRule's). */
export interface PromRuleGroup {
  name: string;
  interval?: string;
  query_offset?: string;
  limit?: number;
  labels?: Record<string, string>;
  rules: PromRule[];
}

/** A rule file, checked, as one PrometheusRule. */
export interface RuleFile {
  /** The file's path, relative to the project. */
  file: string;
  /** The PrometheusRule's name. */
  resource: string;
  groups: PromRuleGroup[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const GROUP_KEYS = ["name", "interval", "query_offset", "limit", "labels", "rules"];
const RULE_KEYS = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"];

const UNIT_WORDS: Record<string, string> = {
  ms: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  s: "s",
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  day: "d",
  days: "d",
  week: "w",
  weeks: "w",
  year: "y",
  years: "y",
};

/** `5 minutes` -> `5m`: what a user most likely meant, or undefined. */
export function durationMeant(text: string): string | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]+)\s*$/.exec(text);
  const unit = m?.[2] !== undefined ? UNIT_WORDS[m[2].toLowerCase()] : undefined;
  return m !== null && unit !== undefined ? `${m[1] ?? ""}${unit}` : undefined;
}

/** The problem with a duration field, or undefined when it is a Prometheus duration. */
export function durationProblem(value: unknown): { problem: string; fix: string } | undefined {
  if (typeof value === "string" && patterns.DURATION.test(value)) return undefined;
  const meant = typeof value === "string" ? durationMeant(value) : undefined;
  return {
    problem: `${JSON.stringify(value)} is not a Prometheus duration`,
    fix:
      meant !== undefined
        ? `write ${meant} (a number and one of the units ms, s, m, h, d, w, y, no space)`
        : "write a number and one of the units ms, s, m, h, d, w, y without a space, e.g. 5m",
  };
}

function isStringMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The PrometheusRule name of a rule file: `signals-` and its path below the folder, lower-cased. */
export function ruleResourceName(relative: string): string {
  const stem = relative
    .replace(/\.rules\.ya?ml$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `signals-${stem}`.slice(0, 253).replace(/-+$/, "");
}

function checkMap(
  v: unknown,
  at: string,
  file: string,
  problems: FileProblem[],
  keyRe: RegExp,
): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isStringMap(v)) {
    problems.push({
      file,
      at,
      problem: "must be a map of label names to strings",
      fix: "write it as `name: value` lines",
    });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!keyRe.test(k)) {
      problems.push({
        file,
        at: `${at}.${k}`,
        problem: "is not a valid label name",
        fix: "use letters, digits and _, not starting with a digit",
      });
    } else if (typeof val !== "string" && typeof val !== "number" && typeof val !== "boolean") {
      problems.push({ file, at: `${at}.${k}`, problem: "must be a string", fix: "quote the value" });
    } else {
      out[k] = String(val);
    }
  }
  return out;
}

function checkRule(r: unknown, at: string, file: string, problems: FileProblem[]): PromRule | undefined {
  if (!isStringMap(r)) {
    problems.push({
      file,
      at,
      problem: "must be a rule (a map with alert or record, and expr)",
      fix: "see docs/your-own-signals.md",
    });
    return undefined;
  }
  for (const k of Object.keys(r)) {
    if (!RULE_KEYS.includes(k)) {
      problems.push({
        file,
        at: `${at}.${k}`,
        problem: "is not a field of a Prometheus rule",
        fix: `remove it; a rule has ${RULE_KEYS.join(", ")}`,
      });
    }
  }
  const { alert, record, expr } = r;
  const before = problems.length;
  if ((alert === undefined) === (record === undefined)) {
    problems.push({
      file,
      at,
      problem: "must have exactly one of alert and record",
      fix: "name an alerting rule with alert: or a recording rule with record:",
    });
  } else if (typeof (alert ?? record) !== "string" || !METRIC_NAME.test(String(alert ?? record))) {
    problems.push({
      file,
      at: `${at}.${alert !== undefined ? "alert" : "record"}`,
      problem: `${JSON.stringify(alert ?? record)} is not a valid ${alert !== undefined ? "alert" : "metric"} name`,
      fix: "use letters, digits, _ and : (level:metric:operations for a recording rule)",
    });
  }
  if (typeof expr !== "string" && typeof expr !== "number") {
    problems.push({
      file,
      at: `${at}.expr`,
      problem: "is required and must be a PromQL expression",
      fix: "add expr: <PromQL>",
    });
  } else {
    const err = promqlSyntaxError(String(expr));
    if (err !== undefined)
      problems.push({
        file,
        at: `${at}.expr`,
        problem: err,
        fix: "fix the expression (promtool check rules shows the same)",
      });
  }
  // Only a rule without problems is used: its name and expression are strings or numbers then.
  const out: PromRule = {
    ...(alert !== undefined ? { alert: alert as string } : { record: record as string }),
    expr: String(expr),
  };
  for (const k of ["for", "keep_firing_for"] as const) {
    if (r[k] === undefined) continue;
    if (record !== undefined) {
      problems.push({
        file,
        at: `${at}.${k}`,
        problem: "is set on a recording rule",
        fix: `remove it: only alerting rules take ${k}`,
      });
      continue;
    }
    const bad = durationProblem(r[k]);
    if (bad !== undefined) problems.push({ file, at: `${at}.${k}`, ...bad });
    else out[k] = r[k] as string;
  }
  const labels = checkMap(r["labels"], `${at}.labels`, file, problems, LABEL_NAME);
  if (labels !== undefined) out.labels = labels;
  if (r["annotations"] !== undefined) {
    if (record !== undefined) {
      problems.push({
        file,
        at: `${at}.annotations`,
        problem: "is set on a recording rule",
        fix: "remove it: only alerting rules take annotations",
      });
    } else {
      const annotations = checkMap(r["annotations"], `${at}.annotations`, file, problems, LABEL_NAME);
      if (annotations !== undefined) out.annotations = annotations;
    }
  }
  return problems.length === before ? out : undefined;
}

function checkGroup(
  g: unknown,
  at: string,
  file: string,
  problems: FileProblem[],
): PromRuleGroup | undefined {
  if (!isStringMap(g)) {
    problems.push({
      file,
      at,
      problem: "must be a rule group (a map with name and rules)",
      fix: "see docs/your-own-signals.md",
    });
    return undefined;
  }
  for (const k of Object.keys(g)) {
    if (!GROUP_KEYS.includes(k)) {
      problems.push({
        file,
        at: `${at}.${k}`,
        problem: "is not a field of a rule group",
        fix: `remove it; a group has ${GROUP_KEYS.join(", ")}`,
      });
    }
  }
  const before = problems.length;
  const name = g["name"];
  if (typeof name !== "string" || name === "") {
    problems.push({ file, at: `${at}.name`, problem: "is required", fix: "name the group" });
  }
  const group: PromRuleGroup = { name: String(name), rules: [] };
  for (const k of ["interval", "query_offset"] as const) {
    if (g[k] === undefined) continue;
    const bad = durationProblem(g[k]);
    if (bad !== undefined) problems.push({ file, at: `${at}.${k}`, ...bad });
    else group[k] = g[k] as string;
  }
  if (g["limit"] !== undefined) {
    if (typeof g["limit"] !== "number" || !Number.isInteger(g["limit"]) || g["limit"] < 0) {
      problems.push({
        file,
        at: `${at}.limit`,
        problem: "must be a whole number of 0 or more",
        fix: "set e.g. limit: 0 (no limit)",
      });
    } else group.limit = g["limit"];
  }
  const labels = checkMap(g["labels"], `${at}.labels`, file, problems, LABEL_NAME);
  if (labels !== undefined) group.labels = labels;
  const rules = g["rules"];
  if (!Array.isArray(rules) || rules.length === 0) {
    problems.push({
      file,
      at: `${at}.rules`,
      problem: "must be a non-empty list of rules",
      fix: "add at least one alert or record rule",
    });
    return undefined;
  }
  const names = new Map<string, number>();
  rules.forEach((r: unknown, i) => {
    const rule = checkRule(r, `${at}.rules[${i}]`, file, problems);
    if (rule === undefined) return;
    const n = rule.alert ?? rule.record ?? "";
    const first = names.get(n);
    if (first !== undefined) {
      problems.push({
        file,
        at: `${at}.rules[${i}]`,
        problem: `repeats the ${rule.alert !== undefined ? "alert" : "record"} name ${n} of rules[${first}] in the same group`,
        fix: "give it its own name, or move it to another group",
      });
    } else names.set(n, i);
    group.rules.push(rule);
  });
  return problems.length === before ? group : undefined;
}

/**
 * Checks a rule file in Prometheus's format (`groups:`): the YAML parses, every expression parses
 * as PromQL, every duration is one, names are valid and no alert or record name repeats within a
 * group. Returns the groups to ship, or the problems, each naming the file and where in it.
 */
export function checkRuleFile(
  file: string,
  relative: string,
  text: string,
): { rules?: RuleFile; problems: FileProblem[] } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    return { problems: [{ file, problem: `is not valid YAML (${first})`, fix: "fix the YAML syntax" }] };
  }
  const problems: FileProblem[] = [];
  if (!isStringMap(doc) || !Array.isArray(doc["groups"])) {
    return {
      problems: [
        {
          file,
          problem: "is not a Prometheus rule file: it has no groups: list",
          fix: "start it with `groups:` (docs/your-own-signals.md)",
        },
      ],
    };
  }
  for (const k of Object.keys(doc)) {
    if (k !== "groups")
      problems.push({
        file,
        at: k,
        problem: "is not a field of a rule file",
        fix: "remove it; a rule file has only groups",
      });
  }
  const groups: PromRuleGroup[] = [];
  const groupNames = new Map<string, number>();
  (doc["groups"] as unknown[]).forEach((g, i) => {
    const group = checkGroup(g, `groups[${i}]`, file, problems);
    if (group === undefined) return;
    const first = groupNames.get(group.name);
    if (first !== undefined) {
      problems.push({
        file,
        at: `groups[${i}].name`,
        problem: `repeats the group name ${group.name} of groups[${first}]`,
        fix: "give each group of a file its own name",
      });
    } else groupNames.set(group.name, i);
    groups.push(group);
  });
  if (groups.length === 0 && problems.length === 0) {
    problems.push({ file, at: "groups", problem: "is empty", fix: "add a group, or delete the file" });
  }
  return problems.length > 0
    ? { problems }
    : { rules: { file, resource: ruleResourceName(relative), groups }, problems };
}

/** A PrometheusRule's spec for a rule file: its groups as they are. */
export function ruleFileSpec(r: RuleFile): Record<string, unknown> {
  return { groups: r.groups };
}
