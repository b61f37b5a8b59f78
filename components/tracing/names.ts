/** The namespace of the tracing part; DNS names of its Services are built on it. */
export const TRACING_NAMESPACE = "tracing";
