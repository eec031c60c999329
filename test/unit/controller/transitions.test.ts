import { describe, expect, it } from "vitest";
import type { ContainerGroupStatus } from "../../../src/api/types.js";
import { transitionEvents } from "../../../src/controller/transitions.js";

const ready = (status: "True" | "False", reason: string, message = "m") => ({
  type: "Ready",
  status,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

describe("transitionEvents", () => {
  it("tells a change of state, naming the state it left", () => {
    const events = transitionEvents({ state: "Pending" }, { state: "Running" });
    expect(events).toEqual([
      expect.objectContaining({
        type: "Normal",
        reason: "Running",
        note: "The group is Running (was Pending).",
      }),
    ]);
  });

  it("warns of a failed run", () => {
    expect(transitionEvents({ state: "Running" }, { state: "Failed" })[0]?.type).toBe("Warning");
  });

  it("warns of a container restart with its exit code and reason", () => {
    const before: ContainerGroupStatus = { state: "Running", containers: [{ name: "web", restartCount: 0 }] };
    const after: ContainerGroupStatus = {
      state: "Running",
      containers: [
        {
          name: "web",
          restartCount: 1,
          previousState: { state: "Terminated", exitCode: 137, detailStatus: "OOMKilled" },
        },
      ],
    };
    expect(transitionEvents(before, after)).toEqual([
      expect.objectContaining({
        reason: "ContainerRestarted",
        note: "Container web exited with exit code 137 (OOMKilled) and was restarted (restart 1).",
      }),
    ]);
  });

  it("warns once of a new reason the group is not Ready, and not of routine progress", () => {
    const quota = {
      state: "Pending" as const,
      conditions: [ready("False", "QuotaExceeded", "raise the quota")],
    };
    expect(transitionEvents({ state: "Pending" }, quota)).toEqual([
      expect.objectContaining({ type: "Warning", reason: "QuotaExceeded", note: "raise the quota" }),
    ]);
    expect(transitionEvents(quota, quota)).toEqual([]);
    expect(
      transitionEvents({ state: "Pending" }, { state: "Pending", conditions: [ready("False", "Creating")] }),
    ).toEqual([]);
  });
});
