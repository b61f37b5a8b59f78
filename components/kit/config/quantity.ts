import { patterns } from "./reader";

const DECIMAL: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity in base units (cores for CPU, bytes for memory). */
export function parseQuantity(q: string): number {
  const m = patterns.QUANTITY.exec(q);
  if (!m) throw new Error(`not a Kubernetes quantity: ${q}`);
  const suffix = m[3] ?? "";
  return Number(m[1]) * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}
