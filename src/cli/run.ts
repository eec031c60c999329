// The plugin's process: bin/kubectl-container_group and bin/kubectl-cg import this (from dist/).
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
