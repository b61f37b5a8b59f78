const UNIT_SECONDS: Record<string, number> = {
  y: 365 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};

/** Seconds in a Prometheus-style duration such as `30s`, `72h`, `7d`, `2w` or `1d12h`. */
export function durationSeconds(duration: string): number {
  let total = 0;
  for (const m of duration.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ""] ?? 0);
  }
  return total;
}

/** The same span of time as a Go duration (Go has no `d` or `w`), for configs Go code parses. */
export function goDuration(duration: string): string {
  const seconds = Math.floor(durationSeconds(duration));
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
