import { parser } from "@prometheus-io/lezer-promql";

/**
 * The first syntax error of a PromQL expression, from Prometheus's own grammar
 * (@prometheus-io/lezer-promql), or undefined when it parses. Grafana's interval variables
 * (`$__rate_interval`) stand for a duration, so a dashboard query is checked with one in place.
 */
export function promqlSyntaxError(expr: string): string | undefined {
  const text = expr.replace(/\$__(rate_interval|interval|range|auto)\b/g, "5m");
  if (text.trim() === "") return "the expression is empty";
  let error: string | undefined;
  parser.parse(text).iterate({
    enter(node) {
      if (error === undefined && node.type.isError) {
        const near = text.slice(Math.max(0, node.from - 15), node.from + 15).replace(/\s+/g, " ");
        error = `PromQL syntax error at character ${String(node.from + 1)}, near "${near}"`;
      }
    },
  });
  return error;
}
