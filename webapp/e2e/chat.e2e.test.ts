import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLOW, SLOW_CHUNKS, startFakeModel, type FakeModel } from "./support/fakeModel";
import type { Child } from "./support/processes";
import {
  CHROMIUM_FLAGS,
  chromiumPath,
  SCREENSHOTS_DIR,
  scratchDir,
  serveBuiltApp,
  startDeployment,
  startWorker,
} from "./support/stack";

// A person's first session, in a real browser: sign in, create a machine, start the worker with the
// token the page shows, add a directory, chat with a reply streaming in, stop a slow reply, reload,
// and see the machine go offline when its worker stops.

const WAIT = { timeout: 90_000 };
const REPLY_END = "Hello from the fake model.";

const screens = [
  { label: "desktop", viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { label: "phone", viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 },
] as const;

describe("the web app in Chromium, against the real functions, worker and OpenCode", () => {
  let scratch: string;
  let model: FakeModel;
  let deployment: Awaited<ReturnType<typeof startDeployment>>;
  let app: Awaited<ReturnType<typeof serveBuiltApp>>;
  const started: { stop: () => Promise<void> }[] = [];

  beforeAll(async () => {
    chromiumPath();
    scratch = scratchDir("chat");
    model = await startFakeModel();
    started.push({ stop: () => model.close() });
    deployment = await startDeployment(scratch);
    started.push(deployment.child);
    app = await serveBuiltApp(join(scratch, "dist"));
    started.push({ stop: app.close });
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    for (const thing of started.reverse()) await thing.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const screen of screens) {
    it(`works at ${screen.viewport.width} px wide (${screen.label})`, async () => {
      const home = join(scratch, screen.label);
      const root = join(home, "root");
      mkdirSync(join(root, "project"), { recursive: true });
      writeFileSync(join(root, "project", "notes.md"), "# Notes\n");
      const context = await chromium.launchPersistentContext(join(home, "browser-profile"), {
        executablePath: chromiumPath(),
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: screen.viewport,
        deviceScaleFactor: screen.deviceScaleFactor,
      });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(app.url).origin });
      let worker: Child | undefined;
      const startedAt = Date.now();
      const step = (what: string) =>
        console.log(`[${screen.label}] ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${what}`);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const shot = async (name: string) => {
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-${screen.label}.png`) });
        };

        // Sign in: the build has no deployment URL, so the page asks for it.
        await page.goto(app.url);
        await page.getByRole("textbox", { name: "Deployment URL" }).fill(deployment.url);
        await page.getByRole("textbox", { name: "Access key" }).fill(deployment.accessKey);
        await shot("sign-in");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { name: "Machines" }).waitFor(WAIT);
        step("signed in");

        // Create a machine: its token is shown once, with the command to run.
        const machineName = `laptop-${screen.label}`;
        await page.getByRole("textbox", { name: "Machine name" }).fill(machineName);
        await page.getByRole("button", { name: "Create machine" }).click();
        const token = await page.getByLabel("Machine token").inputValue(WAIT);
        expect(token).toMatch(/^mch_[A-Za-z0-9_-]+:sec_[A-Za-z0-9_-]+$/);
        expect(await page.getByLabel("Worker command").textContent()).toBe(
          `java -jar worker.jar --convex-url ${deployment.url}`,
        );
        await page.getByRole("button", { name: "Copy", exact: true }).click();
        await page.getByText("Token copied.").waitFor(WAIT);
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
        await shot("token");
        step("machine created, token shown");

        worker = startWorker({
          name: `worker (${screen.label})`,
          deploymentUrl: deployment.url,
          token,
          root,
          home,
          openCodeConfig: model.openCodeConfig,
        });
        await page.getByRole("button", { name: /^Done/ }).click();
        expect(await page.getByLabel("Machine token").count()).toBe(0);

        // The machine comes online; add a worker directory and see the worker accept it.
        await page.getByRole("link", { name: new RegExp(machineName) }).click();
        const header = page.getByRole("region", { name: `Machine ${machineName}` });
        await header.getByText("online", { exact: true }).waitFor(WAIT);
        step("machine online");
        await page.getByRole("textbox", { name: "Worker name" }).fill("demo");
        await page.getByRole("textbox", { name: "Directory" }).fill("project");
        await page.getByRole("button", { name: "Add worker" }).click();
        const workerCard = page.getByRole("article", { name: "Worker demo" });
        await workerCard.getByText("ready", { exact: true }).waitFor(WAIT);
        await shot("machine");
        step("worker ready");

        // A session; a message; the reply streams in.
        await workerCard.getByRole("button", { name: "New session" }).click();
        const log = page.getByRole("log", { name: "Messages" });
        await log.waitFor(WAIT);
        await recordStreaming(page);
        await page.getByRole("textbox", { name: "Message" }).fill("What is in this directory?");
        await page.getByRole("textbox", { name: "Message" }).press("Enter");
        const first = log.locator("li.exchange").nth(0);
        await first.locator(".bubble.assistant").getByText(REPLY_END).waitFor(WAIT);
        await expectStatus(first, "completed");
        step("reply completed");
        const seen = await streamedSnapshots(page);
        expect(seen.length, `visible updates while streaming: ${JSON.stringify(seen)}`).toBeGreaterThan(1);
        for (let i = 1; i < seen.length; i++) expect(seen[i].length).toBeGreaterThan(seen[i - 1].length);
        await expect.poll(() => first.locator("pre code").textContent(), WAIT).toContain("mkdir src");

        // A slow reply, stopped while it streams, ends as stopped with part of the text.
        await recordStreaming(page);
        await page.getByRole("textbox", { name: "Message" }).fill(`${SLOW} count slowly`);
        await page.getByRole("button", { name: "Send" }).click();
        const second = log.locator("li.exchange").nth(1);
        await second.locator(".bubble.assistant").getByText(/tick/).first().waitFor(WAIT);
        await page.waitForFunction(
          () => (window as unknown as { __streamed: string[] }).__streamed.length >= 2,
          null,
          WAIT,
        );
        step("slow reply streaming");
        await page.getByRole("button", { name: "Stop", exact: true }).click();
        await second.getByText("Stopped", { exact: true }).waitFor(WAIT);
        step("slow reply stopped");
        const ticks = ((await second.locator(".bubble.assistant").textContent()) ?? "").match(/tick/g)?.length ?? 0;
        expect(ticks).toBeGreaterThan(0);
        expect(ticks).toBeLessThan(SLOW_CHUNKS);
        await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached", ...WAIT });

        // After a reload the conversation is there, the device still signed in.
        await page.reload();
        await log.locator("li.exchange").nth(1).getByText("Stopped", { exact: true }).waitFor(WAIT);
        await log.getByText("What is in this directory?").waitFor(WAIT);
        await log.getByText(REPLY_END).waitFor(WAIT);
        expect(await log.locator("li.exchange").count()).toBe(2);
        await shot("chat");
        step("conversation found after reload");

        // The worker stops (a graceful stop disconnects): the chat says the machine is offline.
        await worker.stop();
        await page.getByRole("status").getByText(`${machineName} is offline`).waitFor(WAIT);
        step("machine offline shown in the chat");
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- worker log ---\n${worker?.logTail() ?? "(not started)"}`, {
          cause: error,
        });
      } finally {
        await context.close();
        await worker?.stop();
      }
    });
  }
});

async function expectStatus(exchange: Locator, status: string) {
  await expect.poll(() => exchange.getAttribute("data-status"), WAIT).toBe(status);
}

/** Records, in the page, each distinct text of the newest reply while it is still running. */
async function recordStreaming(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __streamed: string[] }).__streamed = seen;
    const log = document.querySelector('[role="log"]')!;
    new MutationObserver(() => {
      const exchanges = log.querySelectorAll("li.exchange");
      const newest = exchanges[exchanges.length - 1];
      if (!newest || newest.getAttribute("data-status") !== "claimed") return;
      const text = newest.querySelector(".bubble.assistant .reply")?.textContent ?? "";
      if (text !== "" && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
  });
}

async function streamedSnapshots(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __streamed: string[] }).__streamed);
}
