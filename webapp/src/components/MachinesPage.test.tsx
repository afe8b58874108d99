import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { MachineView } from "../lib/functions";
import { installFake, SignedIn, TEST_URL, type FakeConvex } from "../test/fakeConvex";
import { MachinePage } from "./MachinePage";
import { MachinesPage } from "./MachinesPage";

vi.mock("convex/react", async () => (await import("../test/fakeConvex")).fakeConvexReact);

const TOKEN = "mch_abc123:sec_" + "s".repeat(40);

function machine(overrides: Partial<MachineView> = {}): MachineView {
  return {
    machineId: "mch_abc123",
    name: "laptop",
    status: "offline",
    lastHeartbeat: null,
    hostname: null,
    version: null,
    platform: null,
    rootDirectory: null,
    createdAt: Date.now(),
    ...overrides,
  };
}

describe("Machine token", () => {
  let backend: FakeConvex;
  let machines: MachineView[];

  beforeEach(() => {
    backend = installFake();
    machines = [];
    backend.onQuery("machines:list", () => machines);
    backend.onMutation("machines:create", (args) => {
      machines = [machine({ name: args.name as string })];
      return { machineId: "mch_abc123", token: TOKEN };
    });
    backend.onMutation("machines:rotateToken", () => ({ token: TOKEN.replace("sec_s", "sec_r") }));
  });

  it("is shown once after creating a machine, with Copy and the worker command, and gone after Done", async () => {
    const user = userEvent.setup();
    const { unmount } = render(
      <SignedIn>
        <MachinesPage />
      </SignedIn>,
    );
    await user.type(screen.getByRole("textbox", { name: "Machine name" }), "laptop");
    await user.click(screen.getByRole("button", { name: "Create machine" }));

    const token = await screen.findByLabelText("Machine token");
    expect(token).toHaveProperty("value", TOKEN);
    expect(backend.mutations).toEqual([{ name: "machines:create", args: { name: "laptop" } }]);
    expect(screen.getByLabelText("Worker command").textContent).toBe(`java -jar worker.jar --convex-url ${TEST_URL}`);

    await user.click(screen.getByRole("button", { name: "Copy" }));
    // user-event's clipboard stands in for the browser's
    expect(await navigator.clipboard.readText()).toBe(TOKEN);
    expect(screen.getByText("Token copied.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: /Done/ }));
    expect(screen.queryByLabelText("Machine token")).toBeNull();
    expect(document.body.textContent).not.toContain("sec_");

    // nothing kept it: a fresh page (a reload, another visit) cannot show it again
    unmount();
    render(
      <SignedIn>
        <MachinesPage />
      </SignedIn>,
    );
    expect(screen.getByRole("heading", { name: "laptop" })).toBeTruthy();
    expect(screen.queryByLabelText("Machine token")).toBeNull();
    expect(document.body.textContent).not.toContain("sec_");
    expect(JSON.stringify({ ...localStorage })).not.toContain("sec_");
  });

  it("shows a new token once after a confirmed rotation", async () => {
    machines = [machine({ status: "online", hostname: "box", version: "1.2.0", lastHeartbeat: Date.now() })];
    const user = userEvent.setup();
    render(
      <SignedIn>
        <MachinePage machineId="mch_abc123" />
      </SignedIn>,
    );
    expect(screen.getByText(/box/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Rotate token" }));
    expect(backend.mutations).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Rotate" }));

    expect(await screen.findByLabelText("Machine token")).toHaveProperty("value", TOKEN.replace("sec_s", "sec_r"));
    expect(backend.mutations).toEqual([{ name: "machines:rotateToken", args: { machineId: "mch_abc123" } }]);
  });

  it("shows the backend's error when creating fails", async () => {
    const { ConvexError } = await import("convex/values");
    backend.onMutation("machines:create", () => {
      throw new ConvexError({ code: "INVALID_ARGUMENT", message: "A machine named laptop exists already" });
    });
    const user = userEvent.setup();
    render(
      <SignedIn>
        <MachinesPage />
      </SignedIn>,
    );
    await user.type(screen.getByRole("textbox", { name: "Machine name" }), "laptop");
    await user.click(screen.getByRole("button", { name: "Create machine" }));

    expect((await screen.findByRole("alert")).textContent).toBe("A machine named laptop exists already");
    expect(screen.queryByLabelText("Machine token")).toBeNull();
  });

  it("shows each worker's state with the error text, adds one and removes one after confirming", async () => {
    machines = [machine({ status: "online", lastHeartbeat: Date.now() })];
    let workers = [
      { workerId: "wrk_1", name: "api", directory: "api", status: "ready", error: null, createdAt: 1 },
      {
        workerId: "wrk_2",
        name: "outside",
        directory: "/etc",
        status: "error",
        error: "Directory /etc is outside the root directory",
        createdAt: 2,
      },
    ];
    backend.onQuery("workers:list", () => workers);
    backend.onQuery("sessions:list", () => []);
    backend.onMutation("workers:create", (args) => {
      workers = [
        ...workers,
        {
          workerId: "wrk_3",
          name: args.name as string,
          directory: args.directory as string,
          status: "pending",
          error: null,
          createdAt: 3,
        },
      ];
      return "wrk_3";
    });
    backend.onMutation("workers:remove", (args) => {
      workers = workers.filter((w) => w.workerId !== args.workerId);
      return null;
    });
    const user = userEvent.setup();
    render(
      <SignedIn>
        <MachinePage machineId="mch_abc123" />
      </SignedIn>,
    );

    const outside = screen.getByRole("article", { name: "Worker outside" });
    expect(within(outside).getByText("error")).toBeTruthy();
    expect(within(outside).getByText("Directory /etc is outside the root directory")).toBeTruthy();
    expect(within(screen.getByRole("article", { name: "Worker api" })).getByText("ready")).toBeTruthy();

    await user.type(screen.getByRole("textbox", { name: "Worker name" }), "web");
    await user.type(screen.getByRole("textbox", { name: "Directory" }), " projects/web ");
    await user.click(screen.getByRole("button", { name: "Add worker" }));
    const web = await screen.findByRole("article", { name: "Worker web" });
    expect(within(web).getByText("pending")).toBeTruthy();

    await user.click(within(outside).getByRole("button", { name: "Remove" }));
    expect(backend.mutations.map((m) => m.name)).toEqual(["workers:create"]);
    await user.click(within(outside).getByRole("button", { name: "Remove worker" }));

    expect(backend.mutations).toEqual([
      { name: "workers:create", args: { machineId: "mch_abc123", name: "web", directory: "projects/web" } },
      { name: "workers:remove", args: { workerId: "wrk_2" } },
    ]);
    expect(screen.queryByRole("article", { name: "Worker outside" })).toBeNull();
  });
});
