// The import rule of components/: each folder is one part of the stack, layered bottom to top.
//   kit (labels, naming, config machinery, charts, Kubernetes object helpers)
//   < alerting < grafana < monitoring < logging | tracing | search | mesh (peers)
//   < parts.ts (the registry: every part, one line each)
//   < core (the model and the composition root, folding the registry) < program.ts
// A folder imports only folders below it, so there are no upward imports and no folder cycles.
/** @type {import('dependency-cruiser').IConfiguration} */
const above = {
  kit: "alerting|grafana|monitoring|logging|tracing|search|mesh|core",
  alerting: "grafana|monitoring|logging|tracing|search|mesh|core",
  grafana: "monitoring|logging|tracing|search|mesh|core",
  monitoring: "logging|tracing|search|mesh|core",
  logging: "tracing|search|mesh|core",
  tracing: "logging|search|mesh|core",
  search: "logging|tracing|mesh|core",
  mesh: "logging|tracing|search|core",
};

module.exports = {
  forbidden: [
    ...Object.entries(above).map(([part, higher]) => ({
      name: `${part}-imports-only-lower-parts`,
      comment: `components/${part} may import only the folders below it (see .dependency-cruiser.cjs)`,
      severity: "error",
      from: { path: `^components/${part}/` },
      to: { path: `^components/((${higher})/|program\\.ts$|parts\\.ts$)` },
    })),
    {
      // Any part folder, a new one before it has a row in `above` too: never the registry, the
      // core or the program above it.
      name: "parts-do-not-import-the-registry-or-core",
      severity: "error",
      from: { path: "^components/(?!kit/|core/)[^/]+/" },
      to: { path: "^components/(core/|parts\\.ts$|program\\.ts$)" },
    },
    {
      // A part's index.ts is its public surface: another part reaches nothing past it.
      name: "a-part-is-imported-through-its-index",
      severity: "error",
      from: { path: "^components/([^/]+)/" },
      to: { path: "^components/[^/]+/", pathNot: ["^components/$1/", "^components/[^/]+/index\\.ts$"] },
    },
    {
      // The tools and the tests use components through the same public surface.
      name: "tools-and-tests-use-the-parts-index",
      severity: "error",
      from: { path: "^(tools|test)/" },
      to: { path: "^components/[^/]+/", pathNot: "^components/[^/]+/index\\.ts$" },
    },
    {
      name: "core-does-not-import-the-program",
      severity: "error",
      from: { path: "^components/core/" },
      to: { path: "^components/program\\.ts$" },
    },
    {
      name: "components-do-not-import-tools-or-tests",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(tools|test)/" },
    },
    {
      name: "no-circular",
      comment: "a module cycle hides which part comes first",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(bin|node_modules)/" },
  },
};
