import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

// 安全提示: an officer publishes an urgent anti-fraud notice for one community; its
// residents see it first, unread, and in their inbox; a resident elsewhere does not.

const password = "haitian-xiongzhen-2026";
const officerPhone = "13900000201";
const demoPassword = "demo-2026-zbs";
const phone = () => `139${String(Math.floor(10_000_000 + Math.random() * 8e7))}`;

async function register(page: Page, community: string) {
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill(password);
  await page.getByLabel("所在社区").selectOption({ label: community });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
}

async function publishUrgent(browser: Browser, info: TestInfo, title: string, community: string) {
  const officer = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await officer.goto("/login");
  await officer.locator("input[name=phone]").fill(officerPhone);
  await officer.locator("input[name=password]").fill(demoPassword);
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

test("an urgent anti-fraud notice reaches its community first and only its community", async ({ page, browser }, info) => {
  // The two projects run at once: each targets its own community with its own title.
  const community = info.project.name === "phone" ? "城东社区" : "梓荫社区";
  const title = `紧急：冒充公检法来电诈骗 ${Math.random().toString(36).slice(2, 8)}`;

  await publishUrgent(browser, info, title, community);

  await register(page, community);
  await page.goto("/notices");
  const first = page.locator("li.notice").first();
  await expect(first).toContainText(title);
  await expect(first).toHaveClass(/unread/);
  await expect(first.locator(".sev")).toHaveText("紧急");
  await page.goto("/me/inbox");
  await page.getByRole("link", { name: `紧急提示：${title}` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await page.goto("/notices");
  await expect(page.locator("li.notice").first()).not.toHaveClass(/unread/);

  await page.context().clearCookies();
  await register(page, "总浦桥社区");
  await page.goto("/notices");
  await expect(page.getByText(title)).toHaveCount(0);
  await page.goto("/me/inbox");
  await expect(page.getByText(title)).toHaveCount(0);
});

test("visitors see every community's notices and can narrow them to one", async ({ page }) => {
  await page.goto("/notices");
  await expect(page.getByLabel("看哪个社区的提示")).toBeVisible();
  await page.getByLabel("看哪个社区的提示").selectOption({ label: "城东社区" });
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/\/notices\?community=\d+/);
  await page.goto("/notices/archive");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("往期提示");
});

test("the inbox count on 我的 updates without reloading the page", async ({ page, browser }, info) => {
  test.skip(info.project.name !== "phone", "the live count needs JavaScript");
  test.setTimeout(90_000);
  await register(page, "甬江社区");
  await page.goto("/notices");
  const badge = page.locator(".tabs .count-badge");
  const before = Number(await badge.getAttribute("data-unread"));
  await publishUrgent(browser, info, `紧急：暴雨内涝 ${Math.random().toString(36).slice(2, 8)}`, "甬江社区");
  // No reload: the island asks the server every 20 seconds.
  await expect(badge).toHaveAttribute("data-unread", String(before + 1), { timeout: 45_000 });
});
