import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";

// WCAG 2.2 A and AA (2.1 and 2.0 with it), as axe-core 4.14 checks them, on the pages
// residents, team members and officers use most, on the phone. axe is injected into the
// page, past the portal's own Content-Security-Policy (which would rightly refuse it).

test.use({ bypassCSP: true });
// axe is a script run in the page: the project without JavaScript cannot run it (its pages
// are the same HTML).
test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "axe runs in the page as a script");

const axePath = `${__dirname}/../node_modules/axe-core/axe.min.js`;
const demoPassword = "demo-2026-zbs";

type Violation = { id: string; impact: string; nodes: { target: string[] }[] };

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const found: Violation[] = await page.evaluate(async () => {
    // @ts-expect-error axe is the script just added
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations;
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const publicPages = [
  "/",
  "/notices",
  "/notices/1",
  "/mediation",
  "/teahouse",
  "/teahouse/b/1",
  "/volunteers",
  "/communities/1",
  "/stats",
  "/login",
  "/register",
  "/privacy",
];

test("public pages meet WCAG 2.2 AA", async ({ page }) => {
  const report: string[] = [];
  for (const path of publicPages) {
    await page.goto(path);
    for (const v of await violations(page)) report.push(`${path}: ${v}`);
  }
  expect(report).toEqual([]);
});

test("public pages meet WCAG 2.2 AA in high contrast and the largest text", async ({ page, baseURL }) => {
  await page.context().addCookies([
    { name: "contrast", value: "on", url: baseURL! },
    { name: "text", value: "larger", url: baseURL! },
  ]);
  const report: string[] = [];
  for (const path of publicPages) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveClass(/contrast/);
    for (const v of await violations(page)) report.push(`${path}: ${v}`);
  }
  expect(report).toEqual([]);
});

test("a resident's, a team member's, an enterprise contact's and an officer's pages meet WCAG 2.2 AA", async ({ page }) => {
  const report: string[] = [];
  await signIn(page, "13900000001", demoPassword);
  for (const path of ["/me", "/me/inbox", "/mediation/new", "/volunteers/help"]) {
    await page.goto(path);
    for (const v of await violations(page)) report.push(`${path}: ${v}`);
  }
  await page.context().clearCookies();
  await signIn(page, "13900000601", demoPassword);
  for (const path of ["/me", "/antifraud"]) {
    await page.goto(path);
    for (const v of await violations(page)) report.push(`${path}: ${v}`);
  }
  await page.goto("/antifraud");
  // Each click returns once the next page commits; axe waits for it to load.
  await page.locator("section.panel").first().getByRole("listitem").first().getByRole("link").click();
  await page.waitForURL(/\/antifraud\/compounds\/\d+$/);
  for (const v of await violations(page)) report.push(`compound: ${v}`);
  await page.locator(".households a").first().click();
  await page.waitForURL(/\/antifraud\/households\/\d+$/);
  for (const v of await violations(page)) report.push(`household: ${v}`);
  await page.context().clearCookies();
  await signIn(page, "13900000701", demoPassword);
  await page.goto("/enterprise");
  for (const v of await violations(page)) report.push(`/enterprise: ${v}`);
  await page.context().clearCookies();
  await signIn(page, "13900000201", demoPassword);
  for (const path of ["/board", "/board/figures", "/board/colours", "/notices/new", "/teahouse/moderation", "/communities/2"]) {
    await page.goto(path);
    for (const v of await violations(page)) report.push(`${path}: ${v}`);
  }
  expect(report).toEqual([]);
});
