import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { ConvexError } from "convex/values";
import { fakeDeployments, installFake, TEST_KEY, TEST_URL, type FakeConvex } from "./test/fakeConvex";

vi.mock("convex/react", async () => (await import("./test/fakeConvex")).fakeConvexReact);

vi.mock("convex/browser", async () => (await import("./test/fakeConvex")).fakeConvexBrowser);

/** A deployment at TEST_URL whose access:whoami accepts `key` only, as the backend does. */
function deploymentAccepting(key: string) {
  fakeDeployments.handlers.set(TEST_URL, (name, args) => {
    if (name === "access:whoami" && args.accessKey === key) return { user: "ada", label: "laptop" };
    throw new ConvexError({ code: "UNAUTHORIZED", message: "unknown access key" });
  });
  return fakeDeployments.calls;
}

describe("Sign-in", () => {
  let backend: FakeConvex;

  beforeEach(() => {
    backend = installFake();
    backend.onQuery("access:whoami", () => ({ user: "ada", label: "laptop" }));
    backend.onQuery("machines:list", () => []);
  });

  afterEach(() => {
    fakeDeployments.clear();
  });

  async function signIn(url: string, key: string) {
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Deployment URL" }), url);
    await user.type(screen.getByRole("textbox", { name: "Access key" }), key);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    return user;
  }

  it("checks the key with access:whoami, remembers it on this device and opens the app", async () => {
    const requests = deploymentAccepting(TEST_KEY);
    const { unmount } = render(<App />);
    await signIn(TEST_URL + "/", `  ${TEST_KEY} `);

    expect(await screen.findByRole("heading", { name: "Machines" })).toBeTruthy();
    expect(requests).toEqual([{ url: TEST_URL, name: "access:whoami", args: { accessKey: TEST_KEY } }]);
    expect(screen.getByText("ada")).toBeTruthy();

    unmount();
    render(<App />);
    expect(screen.getByRole("heading", { name: "Machines" })).toBeTruthy();
    expect(screen.queryByRole("textbox", { name: "Access key" })).toBeNull();
  });

  it("says so when the key is not accepted, and stays signed out", async () => {
    deploymentAccepting(TEST_KEY);
    render(<App />);
    await signIn(TEST_URL, "ak_wrong");

    expect((await screen.findByRole("alert")).textContent).toMatch(/access key is not valid/);
    expect(screen.queryByRole("heading", { name: "Machines" })).toBeNull();
    expect(localStorage.getItem("opencode-worker.accessKey")).toBeNull();
  });

  it("explains a URL that is not one, without asking the network", async () => {
    const requests = deploymentAccepting(TEST_KEY);
    render(<App />);
    await signIn("happy-otter", TEST_KEY);

    expect((await screen.findByRole("alert")).textContent).toMatch(/not a URL/);
    expect(requests).toEqual([]);
  });

  it("explains a deployment that cannot be reached", async () => {
    render(<App />);
    await signIn("https://nowhere.example", TEST_KEY);

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Could not reach a Convex deployment at https://nowhere.example: check the URL and your connection.",
    );
  });

  it("signs out: forgets the key but keeps the deployment URL", async () => {
    deploymentAccepting(TEST_KEY);
    render(<App />);
    const user = await signIn(TEST_URL, TEST_KEY);
    await screen.findByRole("heading", { name: "Machines" });

    await user.click(screen.getByRole("button", { name: "Sign out" }));

    expect(screen.getByRole("textbox", { name: "Access key" })).toHaveProperty("value", "");
    expect(screen.getByRole("textbox", { name: "Deployment URL" })).toHaveProperty("value", TEST_URL);
    expect(localStorage.getItem("opencode-worker.accessKey")).toBeNull();
  });

  it("shows a clear message, not a blank page, when a stored key was revoked", async () => {
    localStorage.setItem("opencode-worker.deploymentUrl", TEST_URL);
    localStorage.setItem("opencode-worker.accessKey", TEST_KEY);
    backend.onQuery("machines:list", () => new ConvexError({ code: "UNAUTHORIZED", message: "revoked key" }));
    vi.spyOn(console, "error").mockImplementation(() => {});

    render(<App />);

    expect(screen.getByRole("heading", { name: "Not allowed" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Sign out" }).length).toBeGreaterThan(0);
  });
});
