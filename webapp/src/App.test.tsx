import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { installFake, TEST_KEY, TEST_URL, type FakeConvex } from "./test/fakeConvex";

vi.mock("convex/react", async () => (await import("./test/fakeConvex")).fakeConvexReact);

/**
 * Sign-in checks the key over Convex's HTTP API (`POST /api/query`), so these tests answer at
 * the fetch boundary as a deployment would, and see what the user sees.
 */
function deploymentAnswering(answer: (path: string, args: Record<string, unknown>) => object) {
  const requests: { url: string; path: string; args: Record<string, unknown> }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const body = JSON.parse(String(init?.body)) as { path: string; args: Record<string, unknown>[] };
    const args = Array.isArray(body.args) ? body.args[0] : (body.args as Record<string, unknown>);
    requests.push({ url, path: body.path, args });
    return new Response(JSON.stringify(answer(body.path, args)), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return requests;
}

const whoamiAccepting = (key: string) => (path: string, args: Record<string, unknown>) =>
  path === "access:whoami" && args.accessKey === key
    ? { status: "success", value: { user: "ada", label: "laptop" } }
    : {
        status: "error",
        errorMessage: "[CONVEX Q(access:whoami)] Uncaught ConvexError: unknown access key",
        errorData: { code: "UNAUTHORIZED", message: "unknown access key" },
      };

describe("Sign-in", () => {
  let backend: FakeConvex;

  beforeEach(() => {
    backend = installFake();
    backend.onQuery("access:whoami", () => ({ user: "ada", label: "laptop" }));
    backend.onQuery("machines:list", () => []);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  async function signIn(url: string, key: string) {
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Deployment URL" }), url);
    await user.type(screen.getByRole("textbox", { name: "Access key" }), key);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    return user;
  }

  it("checks the key with access:whoami, remembers it on this device and opens the app", async () => {
    const requests = deploymentAnswering(whoamiAccepting(TEST_KEY));
    const { unmount } = render(<App />);
    await signIn(TEST_URL + "/", `  ${TEST_KEY} `);

    expect(await screen.findByRole("heading", { name: "Machines" })).toBeTruthy();
    expect(requests).toEqual([{ url: `${TEST_URL}/api/query`, path: "access:whoami", args: { accessKey: TEST_KEY } }]);
    expect(screen.getByText("ada")).toBeTruthy();

    unmount();
    render(<App />);
    expect(screen.getByRole("heading", { name: "Machines" })).toBeTruthy();
    expect(screen.queryByRole("textbox", { name: "Access key" })).toBeNull();
  });

  it("says so when the key is not accepted, and stays signed out", async () => {
    deploymentAnswering(whoamiAccepting(TEST_KEY));
    render(<App />);
    await signIn(TEST_URL, "ak_wrong");

    expect((await screen.findByRole("alert")).textContent).toMatch(/access key is not valid/);
    expect(screen.queryByRole("heading", { name: "Machines" })).toBeNull();
    expect(localStorage.getItem("opencode-worker.accessKey")).toBeNull();
  });

  it("explains a URL that is not one, without asking the network", async () => {
    const requests = deploymentAnswering(whoamiAccepting(TEST_KEY));
    render(<App />);
    await signIn("happy-otter", TEST_KEY);

    expect((await screen.findByRole("alert")).textContent).toMatch(/not a URL/);
    expect(requests).toEqual([]);
  });

  it("explains a deployment that cannot be reached", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    render(<App />);
    await signIn("https://nowhere.example", TEST_KEY);

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Could not reach a Convex deployment at https://nowhere.example: check the URL and your connection.",
    );
  });

  it("signs out: forgets the key but keeps the deployment URL", async () => {
    deploymentAnswering(whoamiAccepting(TEST_KEY));
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
    const { ConvexError } = await import("convex/values");
    backend.onQuery("machines:list", () => new ConvexError({ code: "UNAUTHORIZED", message: "revoked key" }));
    vi.spyOn(console, "error").mockImplementation(() => {});

    render(<App />);

    expect(screen.getByRole("heading", { name: "Not allowed" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Sign out" }).length).toBeGreaterThan(0);
  });
});
