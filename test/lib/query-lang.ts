import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";

interface LezerParser {
  parse(input: string): {
    iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): void }): void;
  };
}

/**
 * Grafana replaces its interval variables before a query leaves the browser; the real grammar
 * would (rightly) refuse `[$__rate_interval]`, so they become a plain duration first. Other
 * variables only ever appear inside quoted label values, where the grammar accepts any text.
 */
export function withGrafanaIntervals(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range|auto)\b/g, "5m");
}

function syntaxErrors(parser: LezerParser, expr: string): string[] {
  const errors: string[] = [];
  if (expr.trim() === "") return ["empty expression"];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(
          `syntax error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.from + 20)}…`,
        );
      }
    },
  });
  return errors;
}

/** Syntax errors of a PromQL expression, from Prometheus's own grammar (@prometheus-io/lezer-promql). */
export function promqlErrors(expr: string): string[] {
  return syntaxErrors(promqlParser, withGrafanaIntervals(expr));
}

/** Syntax errors of a LogQL expression, from Grafana's Loki grammar (@grafana/lezer-logql). */
export function logqlErrors(expr: string): string[] {
  return syntaxErrors(logqlParser, withGrafanaIntervals(expr));
}

/**
 * The selector and label of a Grafana `label_values(<selector>, <label>)` variable query, or of
 * `label_values(<label>)` (no selector).
 */
export function labelValues(query: string): { selector?: string; label: string } | undefined {
  const m = /^label_values\((?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query.trim());
  if (m === null) return undefined;
  return m[1] !== undefined ? { selector: m[1], label: m[2] ?? "" } : { label: m[2] ?? "" };
}

/** The dashboard variables (`$name`, `${name}`) an expression uses, Grafana's own `$__…` excluded. */
export function variablesUsed(expr: string): string[] {
  const names = [...expr.matchAll(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g)].map((m) => m[1] ?? "");
  return [...new Set(names.filter((n) => !n.startsWith("__")))].sort();
}
