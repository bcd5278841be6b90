import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { expect, registerResident, requestMediation, test } from "./fixtures";

// On the phone as an app: Chromium finds the portal installable (manifest, icons, service
// worker), and once the network is gone a notice read before still opens, a page never
// read shows the offline page, and a form is not sent behind the person's back.

test("the portal installs to the home screen and keeps read notices for offline", async ({}, info) => {
  test.skip(info.project.name !== "phone", "a service worker needs JavaScript");
  // A profile on disk: Chromium never offers to install from an incognito window, which
  // every other test's context is.
  const profile = mkdtempSync(join(tmpdir(), "portal-e2e-profile-"));
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, baseURL, launchOptions } = info.project.use;
  const context = await chromium.launchPersistentContext(profile, {
    ...launchOptions,
    viewport,
    userAgent,
    deviceScaleFactor,
    isMobile,
    hasTouch,
    baseURL,
    locale: "zh-CN",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto("/");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const devtools = await context.newCDPSession(page);
  const { installabilityErrors } = await devtools.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  const manifest = await (await page.request.get("/manifest.webmanifest")).json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.short_name).toBe("家警务");

  // Read a notice while online; the worker keeps its public copy.
  await page.goto("/notices");
  const first = page.locator("a[href^='/notices/']").filter({ hasText: /\S/ }).first();
  const href = (await first.getAttribute("href")) ?? "";
  expect(href).toMatch(/^\/notices\/\d+$/);
  await page.goto(href);
  const title = (await page.locator("h1").first().textContent()) ?? "";
  await expect
    .poll(() => page.evaluate(async (path) => !!(await caches.match(path)), href), { timeout: 10_000 })
    .toBe(true);

  await context.setOffline(true);
  await page.goto(href);
  await expect(page.locator("h1").first()).toHaveText(title);
  await page.goto("/teahouse");
  await expect(page.getByRole("heading", { name: "现在没有网络" })).toBeVisible();
  // Styled: the stylesheet this release names was kept with the offline page.
  const styled = () => page.evaluate(() => [...document.styleSheets].some((sheet) => sheet.cssRules.length > 0));
  expect(await styled()).toBe(true);
  await expect(page.getByText("系统不会在您不知情时自动重发")).toBeVisible();
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

// Their own cases (with the next session) open offline for the person who saw them signed
// in, and are gone from the phone once they sign out.
test("a person's own cases open offline until they sign out", async ({ browser }, info) => {
  test.skip(info.project.name !== "phone", "a service worker needs JavaScript");
  const context = await browser.newContext({ ...info.project.use, locale: "zh-CN" });
  const page = await context.newPage();
  await registerResident(page, "总浦桥社区");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const code = await requestMediation(page, "楼下的狗每天清早叫个不停，想请调解员帮忙谈一谈。", "楼下 301 住户");

  await page.goto("/mediation");
  await expect(page.getByText(code)).toBeVisible();
  const kept = () => page.evaluate(async () => !!(await caches.match("/mediation", { cacheName: "own-v1" })));
  await expect.poll(kept, { timeout: 10_000 }).toBe(true);

  await context.setOffline(true);
  await page.goto("/mediation");
  await expect(page.getByText(code)).toBeVisible();
  // The offline page names what still opens.
  await page.goto("/teahouse");
  await expect(page.getByRole("heading", { name: "现在没有网络" })).toBeVisible();
  await expect(page.getByRole("link", { name: "我的调解" })).toBeVisible();

  await context.setOffline(false);
  await page.goto("/me");
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect.poll(kept, { timeout: 10_000 }).toBe(false);
  await context.setOffline(true);
  await page.goto("/mediation");
  await expect(page.getByRole("heading", { name: "现在没有网络" })).toBeVisible();
  await expect(page.getByText(code)).toHaveCount(0);
  await context.close();
});
