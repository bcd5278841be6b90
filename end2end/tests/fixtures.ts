import { test as base, type Browser, expect, type Page, type TestInfo } from "@playwright/test";

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

/// An officer (the demo's) publishes an urgent anti-fraud notice for `community`, in a
/// browser of their own, on the project's portal or the one at `baseURL`.
export async function publishUrgent(browser: Browser, info: TestInfo, title: string, community: string, baseURL?: string) {
  const use = { ...info.project.use, locale: "zh-CN", ...(baseURL ? { baseURL } : {}) };
  const officer = await (await browser.newContext(use)).newPage();
  await officer.goto("/login");
  await officer.locator("input[name=phone]").fill("13900000201");
  await officer.locator("input[name=password]").fill("demo-2026-zbs");
  await officer.getByRole("button", { name: "登录" }).click();
  await officer.goto("/notices/new");
  await officer.getByLabel("标题").fill(title);
  await officer.getByLabel("正文").fill("自称**公检法**的来电要求转账到“安全账户”，一律是诈骗。\n\n- 不转账\n- 不透露验证码");
  await officer.getByLabel("类别").selectOption("fraud");
  await officer.getByLabel("级别").selectOption("urgent");
  await officer.getByRole("radio", { name: "选定的社区：" }).check();
  await officer.getByRole("checkbox", { name: community, exact: true }).check();
  await officer.getByRole("checkbox", { name: "置顶" }).check();
  await officer.getByRole("button", { name: "保存草稿" }).click();
  await expect(officer.getByRole("status")).toHaveText(/已保存/);
  // The preview renders the Markdown-lite.
  await expect(officer.locator(".preview strong")).toHaveText("公检法");
  await expect(officer.locator(".preview li")).toHaveText(["不转账", "不透露验证码"]);
  await officer.getByRole("button", { name: "发布" }).click();
  await expect(officer.getByRole("status")).toHaveText("已发布。");
  await officer.context().close();
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
