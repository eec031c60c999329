import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { WrittenStatuses } from "../../../src/controller/written-status.js";

const group = (resourceVersion: string, state: "Pending" | "Running", uid = "u1") =>
  ({
    metadata: { name: "g", namespace: "n", uid, resourceVersion },
    status: { state },
  }) as unknown as ContainerGroup;

describe("WrittenStatuses", () => {
  it("shows the status it wrote while the cache still holds an older version", () => {
    const written = new WrittenStatuses();
    written.remember("n/g", group("10", "Pending"), "11", { state: "Running" });
    expect(written.overlay("n/g", group("10", "Pending")).status?.state).toBe("Running");
  });

  it("steps aside once the cache has caught up, or for a group recreated under the same name", () => {
    const written = new WrittenStatuses();
    written.remember("n/g", group("10", "Pending"), "11", { state: "Running" });
    expect(written.overlay("n/g", group("12", "Pending")).status?.state).toBe("Pending");
    written.remember("n/g", group("10", "Pending"), "11", { state: "Running" });
    expect(written.overlay("n/g", group("9", "Pending", "u2")).status?.state).toBe("Pending");
  });
});
