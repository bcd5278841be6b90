import { test as base, expect, type Page } from "@playwright/test";

export { expect };

/// Registers a new resident of 城东社区 under a number of its own (reruns against the same
/// server never collide) and leaves them signed in.
export async function registerResident(page: Page) {
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(`137${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`);
  await page.locator("input[name=password]").fill("haitian-xiongzhen-2026");
  await page.getByLabel("所在社区").selectOption({ label: "城东社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
}

// Every test fails on a console error: a CSP violation, a failed island or a broken
// request shows up here first. A test that meets an error status on purpose says so with
// an annotation such as "expects-404".
export const test = base.extend<{ consoleErrors: void }>({
  consoleErrors: [
    async ({ page }, use, info) => {
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await use();
      const expected = info.annotations
        .filter((a) => a.type.startsWith("expects-"))
        .map((a) => `status of ${a.type.slice("expects-".length)}`);
      expect(errors.filter((e) => !expected.some((status) => e.includes(status)))).toEqual([]);
    },
    { auto: true },
  ],
});
