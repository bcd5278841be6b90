import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";

// Tap targets for fingers that shake: every button, field and navigation control is at
// least 44 × 44 CSS px (WCAG 2.5.5) on the phone, at the normal text size (the smallest),
// on the pages residents and volunteers use most. A checkbox's or radio's target is its
// label; links inside running text are exempt, as WCAG has them.

const demoPassword = "demo-2026-zbs";
const MIN = 44;

async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const selector = [
      "button",
      "select",
      "textarea",
      "summary",
      "input:not([type=hidden])",
      "nav a",
      ".subnav a",
      ".pager a",
    ].join(",");
    const found: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const target =
        element instanceof HTMLInputElement && (element.type === "checkbox" || element.type === "radio")
          ? (element.closest("label") ?? element)
          : element;
      const box = target.getBoundingClientRect();
      const style = getComputedStyle(target);
      // Hidden, or off screen like the skip link until it has the focus.
      if (box.width === 0 || style.visibility === "hidden" || box.right < 0) continue;
      if (box.width < min - 0.5 || box.height < min - 0.5) {
        const name = (target.textContent ?? "").trim().slice(0, 20) || target.getAttribute("name") || "";
        found.push(`${target.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return found;
  }, MIN);
}

async function check(page: Page, paths: string[], report: string[]) {
  for (const path of paths) {
    await page.goto(path);
    for (const small of await smallTargets(page)) report.push(`${path}: ${small}`);
  }
}

test("every control is at least 44 × 44 px on the phone", async ({ page }) => {
  const report: string[] = [];
  await check(page, ["/", "/notices", "/teahouse", "/volunteers", "/login", "/register", "/mediation"], report);
  await signIn(page, "13900000001", demoPassword);
  await check(page, ["/me", "/mediation/new", "/volunteers/help", "/me/inbox"], report);
  await page.context().clearCookies();
  await signIn(page, "13900000601", demoPassword);
  await page.goto("/antifraud");
  await page.locator("section.panel").first().getByRole("listitem").first().getByRole("link").click();
  await page.locator(".households a").first().click();
  // The click returns once the page commits; its stylesheet may still be on the way.
  await page.waitForURL(/\/antifraud\/households\/\d+$/);
  for (const small of await smallTargets(page)) report.push(`household: ${small}`);
  expect(report).toEqual([]);
});

test("three text sizes and high contrast, remembered from the first byte", async ({ page }) => {
  await page.goto("/");
  const html = page.locator("html");
  const fontSize = () => html.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const normal = await fontSize();
  await page.getByRole("button", { name: "大字" }).click();
  await expect(html).toHaveClass(/\blarge\b/);
  await expect.poll(fontSize).toBeGreaterThan(normal * 1.2);
  await page.getByRole("button", { name: "特大字" }).click();
  await expect(html).toHaveClass(/\blarger\b/);
  await expect.poll(fontSize).toBeGreaterThan(normal * 1.5);

  await page.getByRole("button", { name: "高对比" }).click();
  await expect(html).toHaveClass(/\bcontrast\b/);
  await expect(page.getByRole("button", { name: "高对比" })).toHaveAttribute("aria-pressed", "true");
  const ink = () => page.locator("body").evaluate((el) => getComputedStyle(el).color);
  await expect.poll(ink).toBe("rgb(0, 0, 0)");

  // Both come back on the next visit, in the first HTML.
  await page.reload();
  await expect(html).toHaveClass(/\blarger\b/);
  await expect(html).toHaveClass(/\bcontrast\b/);
  await page.getByRole("button", { name: "标准字" }).click();
  await page.getByRole("button", { name: "高对比" }).click();
  await expect(html).not.toHaveClass(/\blarger\b|\bcontrast\b/);
});
