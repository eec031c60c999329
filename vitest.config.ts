import { defineConfig } from "vitest/config";

// Two suites: `unit` runs pure code with no cluster; `integration` talks to a real API server
// (TEST_KUBECONFIG, or the local control plane that the global setup brings up).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files share one cluster; each uses its own namespace, but the operator process and
          // cluster-wide objects (CRD, RuntimeClasses) make running files one at a time the safe choice.
          fileParallelism: false,
        },
      },
    ],
  },
});
