import { observabilityProgram } from "./components/program";

// The Pulumi CLI calls an exported function and takes the object it returns as the stack outputs.
export = observabilityProgram;
