import { describe, expect, it } from "vitest";
import { groupState } from "../../../src/status/state.js";
import { aGroup, aPod, aRunningPod } from "../fixtures.js";

describe("groupState", () => {
  it("is Pending while the group has no Pod yet", () => {
    expect(groupState(undefined, aGroup())).toBe("Pending");
  });

  it("follows the Pod's phase", () => {
    const group = aGroup();
    expect(groupState(aPod(group, { phase: "Pending" }), group)).toBe("Pending");
    expect(groupState(aRunningPod(group, "2026-05-01T10:00:00Z"), group)).toBe("Running");
    expect(groupState(aPod(group, { phase: "Succeeded" }), group)).toBe("Succeeded");
    expect(groupState(aPod(group, { phase: "Failed" }), group)).toBe("Failed");
  });

  it("reads a Pod on a lost node (phase Unknown) as Pending", () => {
    const group = aGroup();
    expect(groupState(aPod(group, { phase: "Unknown" }), group)).toBe("Pending");
  });

  it("is Stopped when the group is stopped, even while its old Pod still terminates", () => {
    const group = aGroup({ stopped: true });
    expect(groupState(undefined, group)).toBe("Stopped");
    const terminating = aRunningPod(group, "2026-05-01T10:00:00Z", {
      deletionTimestamp: "2026-05-01T11:00:30Z",
    });
    expect(groupState(terminating, group)).toBe("Stopped");
  });

  it("is Pending while the Pod is being replaced", () => {
    const group = aGroup();
    const old = aRunningPod(group, "2026-05-01T10:00:00Z", { deletionTimestamp: "2026-05-01T11:00:30Z" });
    expect(groupState(old, group)).toBe("Pending");
  });
});
