import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConvexError } from "convex/values";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

function Failing({ error }: { error: unknown }): never {
  throw error;
}

describe("ErrorBoundary", () => {
  it("shows a function's error message, not a blank page, and tries again on request", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    let broken = true;
    function Flaky() {
      if (broken) throw new ConvexError({ code: "NOT_FOUND", message: "No such session" });
      return <p>fine now</p>;
    }
    const user = userEvent.setup();
    render(
      <ErrorBoundary>
        <Flaky />
      </ErrorBoundary>,
    );

    expect(screen.getByRole("heading", { name: "Something went wrong" })).toBeTruthy();
    expect(screen.getByText("No such session")).toBeTruthy();
    broken = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("fine now")).toBeTruthy();
  });

  it("keeps the useful line of a server error and offers sign-out when the key is refused", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const signOut = vi.fn();
    const { unmount } = render(
      <ErrorBoundary onSignOut={signOut}>
        <Failing
          error={
            new Error(
              "[CONVEX Q(messages:list)] [Request ID: 1a2b] Server Error\nUncaught Error: boom in the query\n    at handler (../convex/messages.ts:12:3)",
            )
          }
        />
      </ErrorBoundary>,
    );
    expect(screen.getByText("Uncaught Error: boom in the query")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).not.toMatch(/Request ID|CONVEX|at handler/);
    unmount();

    render(
      <ErrorBoundary onSignOut={signOut}>
        <Failing error={new ConvexError({ code: "UNAUTHORIZED", message: "revoked" })} />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("heading", { name: "Not allowed" })).toBeTruthy();
    screen.getByRole("button", { name: "Sign out" }).click();
    expect(signOut).toHaveBeenCalled();
  });
});
