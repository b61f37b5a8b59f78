import { FileProblem } from "./problems";

/** A dashboard file, checked, as Grafana's sidecar will load it. */
export interface SignalDashboard {
  /** The file's path, relative to the project. */
  file: string;
  /** The ConfigMap's name; the file in it is `<name>.json`. */
  name: string;
  /** The Grafana folder: the name of the directory the file is in. */
  folder: string;
  uid: string;
  title: string;
  /** The dashboard JSON with its inputs replaced by datasource uids. */
  json: string;
}

/** A datasource dashboards may name: the stack's, by uid and plugin type. */
export interface KnownDatasource {
  uid: string;
  type: string;
}

/** Datasources Grafana itself provides: annotations and mixed or dashboard-sourced panels name them. */
const GRAFANA_BUILT_IN = ["-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana"];
/** A ConfigMap holds at most 1 MiB of data. */
export const CONFIGMAP_LIMIT = 1024 * 1024;
/** A folder name the sidecar turns into one directory level (as dashboards.folder). */
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,62}$/;
/** Grafana's uid: at most 40 letters, digits, - and _. */
const UID = /^[a-zA-Z0-9_-]{1,40}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The ConfigMap name of a dashboard file: `grafana-dashboard-signals-<folder>-<name>`, lower-cased. */
export function dashboardConfigMapName(folder: string, name: string): string {
  const slug = `${folder}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `grafana-dashboard-signals-${slug}`.slice(0, 253).replace(/-+$/, "");
}

/** Every `datasource` value in the JSON, with its path (`panels[2].targets[0].datasource`). */
function datasourceRefs(v: unknown, at: string, out: { at: string; value: unknown }[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      datasourceRefs(x, `${at}[${i}]`, out);
    });
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const here = at === "" ? k : `${at}.${k}`;
      if (k === "datasource") out.push({ at: here, value: x });
      else datasourceRefs(x, here, out);
    }
  }
}

/**
 * Checks one dashboard file of `<directory>/dashboards/<folder>/<name>.json`: the JSON parses and
 * is a dashboard with a fixed uid and a title; the uid is not taken (`taken` maps every uid the
 * stack already ships to who ships it); each `${input}` of its `__inputs` becomes the uid of the
 * stack's datasource of that plugin; every datasource it names is one of `datasources`, a
 * datasource variable of its own, or Grafana's built-in; and it fits in a ConfigMap.
 */
export function checkDashboardFile(
  f: { file: string; folder: string; name: string; text: string },
  datasources: readonly KnownDatasource[],
  taken: ReadonlyMap<string, string>,
): { dashboard?: SignalDashboard; problems: FileProblem[] } {
  const { file } = f;
  const problems: FileProblem[] = [];
  if (!FOLDER.test(f.folder)) {
    problems.push({
      file,
      problem: `its directory ${JSON.stringify(f.folder)} is not a usable Grafana folder name`,
      fix: "name the directory with at most 63 ASCII letters, digits, spaces, - and _",
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(f.text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      problems: [
        {
          file,
          problem: `is not valid JSON (${why})`,
          fix: "export the dashboard again from Grafana (Share > Export > Save to file), or fix the syntax",
        },
      ],
    };
  }
  if (!isObject(parsed) || typeof parsed["title"] !== "string" || !Array.isArray(parsed["panels"] ?? [])) {
    return {
      problems: [
        {
          file,
          problem: "is not a Grafana dashboard: it has no title",
          fix: "export the dashboard from Grafana as JSON (Share > Export)",
        },
      ],
    };
  }
  const title = parsed["title"];
  const uid = parsed["uid"];
  if (typeof uid !== "string" || !UID.test(uid)) {
    problems.push({
      file,
      at: "uid",
      problem:
        uid === undefined || uid === null || uid === ""
          ? "is not set, so Grafana would give the dashboard a new uid on every load and links to it break"
          : `${JSON.stringify(uid)} is not a Grafana uid`,
      fix: 'set a fixed uid of at most 40 letters, digits, - and _, e.g. "shop-overview"',
    });
  } else if (taken.has(uid)) {
    problems.push({
      file,
      at: "uid",
      problem: `${JSON.stringify(uid)} is already the uid of ${taken.get(uid) ?? "another dashboard"}`,
      fix: "give this dashboard a uid of its own",
    });
  }

  // Inputs (`__inputs` of an exported dashboard) become the stack's datasource of that plugin.
  let text = f.text;
  const inputs = new Set<string>();
  const rawInputs = parsed["__inputs"];
  if (Array.isArray(rawInputs)) {
    rawInputs.forEach((input: unknown, i) => {
      if (!isObject(input) || typeof input["name"] !== "string") return;
      const name = input["name"];
      if (input["type"] !== "datasource") {
        problems.push({
          file,
          at: `__inputs[${i}]`,
          problem: `input ${name} is a ${String(input["type"])}, which provisioning cannot ask for`,
          fix: "replace ${" + name + "} by its value in the file and drop the input",
        });
        return;
      }
      const plugin = String(input["pluginId"]);
      const ds = datasources.find((d) => d.type === plugin);
      if (ds === undefined) {
        problems.push({
          file,
          at: `__inputs[${i}]`,
          problem: `input ${name} asks for a ${plugin} datasource, and the stack has none`,
          fix: `use one of the stack's datasources (${datasources.map((d) => `${d.uid} (${d.type})`).join(", ")})`,
        });
        return;
      }
      inputs.add(name);
      text = text.split(`\${${name}}`).join(ds.uid);
    });
  }
  const dashboard = JSON.parse(text) as Record<string, unknown>;
  // Grafana assigns ids; a provisioned dashboard with an exported id could clash with another.
  dashboard["id"] = null;
  delete dashboard["__inputs"];

  const templating = dashboard["templating"];
  const variables = new Set<string>(
    (isObject(templating) && Array.isArray(templating["list"]) ? (templating["list"] as unknown[]) : [])
      .filter(
        (v): v is Record<string, unknown> =>
          isObject(v) && v["type"] === "datasource" && typeof v["name"] === "string",
      )
      .map((v) => v["name"] as string),
  );
  const known = new Set(datasources.map((d) => d.uid));
  const refs: { at: string; value: unknown }[] = [];
  datasourceRefs(dashboard, "", refs);
  for (const ref of refs) {
    const uidOf =
      typeof ref.value === "string" ? ref.value : isObject(ref.value) ? ref.value["uid"] : undefined;
    if (uidOf === undefined || uidOf === null) continue; // Grafana's default datasource
    const u = typeof uidOf === "string" ? uidOf : JSON.stringify(uidOf);
    const variable = /^\$\{?([A-Za-z0-9_]+)\}?$/.exec(u)?.[1];
    if (known.has(u) || GRAFANA_BUILT_IN.includes(u)) continue;
    if (variable !== undefined && variables.has(variable)) continue;
    problems.push({
      file,
      at: ref.at,
      problem:
        variable !== undefined
          ? `names ${u}, which is neither a datasource variable of the dashboard nor one of its __inputs`
          : `names datasource uid ${JSON.stringify(u)}, which the stack does not have`,
      fix: `use one of the stack's datasource uids: ${[...known].sort().join(", ")}`,
    });
  }
  const json = `${JSON.stringify(dashboard, null, 2)}\n`;
  const bytes = Buffer.byteLength(json);
  if (bytes > CONFIGMAP_LIMIT) {
    problems.push({
      file,
      problem: `is ${String(bytes)} bytes, more than a ConfigMap holds (1 MiB)`,
      fix: "split it into smaller dashboards, or drop panels and embedded data",
    });
  }
  if (problems.length > 0) return { problems };
  return {
    dashboard: {
      file,
      name: dashboardConfigMapName(f.folder, f.name),
      folder: f.folder,
      uid: uid as string,
      title,
      json,
    },
    problems,
  };
}
