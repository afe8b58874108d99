import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { MachineView, MessageView } from "../lib/functions";
import { installFake, SignedIn, type FakeConvex } from "../test/fakeConvex";
import { ChatPage } from "./ChatPage";

vi.mock("convex/react", async () => (await import("../test/fakeConvex")).fakeConvexReact);

function message(id: string, overrides: Partial<MessageView> = {}): MessageView {
  return {
    messageId: id,
    sessionId: "ses_1",
    content: `question ${id}`,
    model: null,
    createdAt: 0,
    status: "completed",
    attempt: 1,
    cancelRequested: false,
    error: null,
    retryable: null,
    reply: { content: `answer ${id}`, reasoning: null, parts: null, usage: null },
    ...overrides,
  };
}

describe("ChatPage", () => {
  let backend: FakeConvex;
  let newestFirst: MessageView[];
  let machineStatus: MachineView["status"];

  beforeEach(() => {
    backend = installFake();
    machineStatus = "online";
    newestFirst = [message("msg_2"), message("msg_1")];
    backend.onQuery("machines:list", () => [
      { machineId: "mch_1", name: "laptop", status: machineStatus, lastHeartbeat: Date.now() - 600_000 },
    ]);
    backend.onQuery("workers:list", () => [{ workerId: "wrk_1", name: "api", directory: "api", status: "ready" }]);
    backend.onQuery("sessions:list", () => [
      { sessionId: "ses_1", workerId: "wrk_1", title: "Fix it", status: "active" },
    ]);
    backend.onQuery("messages:list", () => newestFirst);
    backend.onQuery("messages:chunks", () => []);
    backend.onMutation("messages:send", (args) => {
      newestFirst = [
        message("msg_new", { content: args.content as string, status: "pending", reply: null }),
        ...newestFirst,
      ];
      return "msg_new";
    });
    backend.onMutation("messages:cancel", () => null);
    backend.onMutation("messages:retry", () => "msg_retry");
  });

  function renderChat() {
    return render(
      <SignedIn>
        <ChatPage machineId="mch_1" workerId="wrk_1" sessionId="ses_1" />
      </SignedIn>,
    );
  }

  it("lists the session's messages oldest first, newest at the bottom, in a log region", () => {
    renderChat();
    const log = screen.getByRole("log", { name: "Messages" });
    const text = log.textContent!;
    expect(text.indexOf("question msg_1")).toBeLessThan(text.indexOf("answer msg_1"));
    expect(text.indexOf("answer msg_1")).toBeLessThan(text.indexOf("question msg_2"));
    expect(backend.subscriptions("messages:list")).toEqual([{ sessionId: "ses_1" }]);
  });

  it("sends on Enter, keeps Shift+Enter as a new line, and passes the optional model", async () => {
    const user = userEvent.setup();
    renderChat();
    await user.click(screen.getByRole("button", { name: "Choose model" }));
    await user.type(screen.getByRole("textbox", { name: "Model" }), "fake/fake-model");
    const box = screen.getByRole("textbox", { name: "Message" });
    await user.type(box, "first line{Shift>}{Enter}{/Shift}second line");
    expect(backend.mutations).toEqual([]);
    expect(box).toHaveProperty("value", "first line\nsecond line");

    await user.type(box, "{Enter}");

    expect(backend.mutations).toEqual([
      {
        name: "messages:send",
        args: { sessionId: "ses_1", content: "first line\nsecond line", model: "fake/fake-model" },
      },
    ]);
    expect(box).toHaveProperty("value", "");
    expect(await screen.findByText(/first line\s+second line/)).toBeTruthy();
  });

  it("offers Stop only while a reply runs, and stop cancels it", async () => {
    const user = userEvent.setup();
    renderChat();
    expect(screen.queryByRole("button", { name: "Stop" })).toBeNull();

    newestFirst = [message("msg_3", { status: "claimed", reply: null }), ...newestFirst];
    act(() => backend.changed());
    await user.click(await screen.findByRole("button", { name: "Stop" }));
    expect(backend.mutations).toEqual([{ name: "messages:cancel", args: { messageId: "msg_3" } }]);
  });

  it("shows a stopped reply as stopped, and a failed one with its error and Retry when retryable", async () => {
    newestFirst = [
      message("msg_4", { status: "failed", error: "interrupted by a worker restart", retryable: true, reply: null }),
      message("msg_3", {
        cancelRequested: true,
        reply: { content: "partial", reasoning: null, parts: null, usage: null },
      }),
    ];
    const user = userEvent.setup();
    renderChat();
    const log = screen.getByRole("log");
    const [stopped, failed] = within(log).getAllByRole("listitem");
    expect(within(stopped).getByText("Stopped")).toBeTruthy();
    expect(within(failed).getByText("Failed: interrupted by a worker restart")).toBeTruthy();

    await user.click(within(failed).getByRole("button", { name: "Retry" }));
    expect(backend.mutations).toEqual([{ name: "messages:retry", args: { messageId: "msg_4" } }]);
  });

  it("shows in the chat that the machine is offline", () => {
    machineStatus = "offline";
    newestFirst = [message("msg_5", { status: "pending", reply: null })];
    renderChat();
    expect(screen.getByRole("status").textContent).toMatch(/laptop is offline \(last seen 10 min ago\)/);
    expect(screen.getByText(/the machine is offline/)).toBeTruthy();
  });

  it("pages older messages in above the newest, keeping the order", async () => {
    newestFirst = Array.from({ length: 45 }, (_, i) => message(`msg_${String(44 - i).padStart(2, "0")}`));
    const user = userEvent.setup();
    renderChat();
    const log = screen.getByRole("log");
    const shown = () =>
      within(log)
        .getAllByRole("listitem")
        .map((li) => li.textContent!.match(/question (msg_\d+)/)![1]);

    expect(shown()).toEqual(Array.from({ length: 20 }, (_, i) => `msg_${25 + i}`));
    await user.click(within(log).getByRole("button", { name: "Load older messages" }));
    expect(shown()).toEqual(Array.from({ length: 40 }, (_, i) => `msg_${String(5 + i).padStart(2, "0")}`));
    await user.click(within(log).getByRole("button", { name: "Load older messages" }));
    expect(shown()[0]).toBe("msg_00");
    expect(shown()).toHaveLength(45);
    expect(within(log).queryByRole("button", { name: "Load older messages" })).toBeNull();
  });
});
