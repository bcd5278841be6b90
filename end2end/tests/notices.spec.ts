import type { Page } from "@playwright/test";
import { expect, publishUrgent, test } from "./fixtures";

// 安全提示: an officer publishes an urgent anti-fraud notice for one community; its
// residents see it first, unread, and in their inbox; a resident elsewhere does not.

const password = "haitian-xiongzhen-2026";
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
