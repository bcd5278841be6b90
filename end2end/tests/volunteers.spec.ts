import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// 老王帮帮团: a resident applies to the patrol squad, its leader approves on another phone,
// and the new volunteer signs up for a patrol shift that then shows on the leader's roster.

const password = "haitian-xiongzhen-2026";
const demoPassword = "demo-2026-zbs";
// Demo data: the leader of 义务巡逻小分队.
const patrolLeader = "13900000302";
const phone = () => `139${String(Math.floor(10_000_000 + Math.random() * 8e7))}`;

async function signIn(page: Page, number: string, secret: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(secret);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

test("a resident applies, the leader approves, the volunteer signs up for a patrol", async ({ page, browser }, info) => {
  const name = `王${Math.random().toString(36).slice(2, 6)}`;
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill(password);
  await page.getByLabel("所在社区").selectOption({ label: "后海塘社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();

  await page.goto("/volunteers/apply");
  await page.getByLabel("小分队").selectOption({ label: "义务巡逻小分队" });
  await page.getByLabel("姓名").fill(name);
  await page.getByLabel("家乡（省、市）").fill("贵州 遵义");
  await page.getByLabel("会说的方言").fill("遵义话、普通话");
  await page.getByRole("checkbox", { name: /我同意/ }).check();
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page.getByRole("status")).toHaveText("申请已提交，队长审核后会通知您。");

  const leader = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await signIn(leader, patrolLeader, demoPassword);
  await leader.goto("/volunteers/lead");
  const application = leader.locator(".application", { hasText: name });
  await application.getByRole("button", { name: "同意", exact: true }).click();
  await expect(leader.getByRole("status")).toHaveText("已处理。");

  await page.goto("/me/inbox");
  await expect(page.getByRole("link", { name: "欢迎加入 义务巡逻小分队！" })).toBeVisible();
  await page.goto("/volunteers");
  const shift = page.locator("li.shift").first();
  const title = (await shift.locator("strong").innerText()).trim();
  // Weekly patrols share a title: the time tells them apart.
  const when = (await shift.locator(".meta").first().innerText()).match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}–\d{2}:\d{2}/)![0];
  await shift.getByRole("button", { name: "报名" }).click();
  await expect(page.getByRole("status")).toHaveText("报名成功。");
  await expect(page.locator("li.shift").first().getByText("已报名")).toBeVisible();

  await leader.goto("/volunteers/lead");
  await leader.locator("a.shift", { hasText: title }).filter({ hasText: when }).click();
  await expect(leader.locator(".roster")).toContainText(name);

  // The latest patrol that is over, from the paper list: the new volunteer came from 19:00 to
  // 21:00. (The oldest one listed may be within minutes of the two weeks after which its list
  // can no longer be changed.)
  await leader.goto("/volunteers/lead");
  const patrols = leader.locator("a.shift", { hasText: "19:00–21:00" });
  const dates = (await patrols.allInnerTexts()).map((text) => text.match(/\d{4}-\d{2}-\d{2}/)?.[0] ?? "");
  const latestPast = dates.filter((date) => date !== "" && date < beijingToday()).sort().at(-1)!;
  await patrols.filter({ hasText: `${latestPast} 19:00–21:00` }).click();
  await leader.getByRole("combobox", { name: "加入签到表" }).selectOption({ label: name });
  await leader.getByRole("button", { name: "加入签到表" }).click();
  const row = leader.locator(".roster li", { hasText: name });
  await row.locator("form", { has: leader.locator("input[value=in]") }).locator("input[name=at]").fill("19:00");
  await row.getByRole("button", { name: "签到" }).click();
  await leader.locator(".roster li", { hasText: name }).locator("form", { has: leader.locator("input[value=out]") }).locator("input[name=at]").fill("21:00");
  await leader.locator(".roster li", { hasText: name }).getByRole("button", { name: "签退" }).click();
  await expect(leader.locator(".roster li", { hasText: name })).toContainText("2.0 小时");
  await leader.context().close();

  await page.goto("/volunteers/hours");
  await expect(page.locator(".certificate")).toContainText(name);
  await expect(page.locator(".certificate")).toContainText("义务巡逻小分队");
  await expect(page.locator(".certificate-total")).toHaveText("2.0 小时");
});

/** Today in Beijing time, as the portal writes dates (YYYY-MM-DD): a patrol of an earlier day is over. */
function beijingToday(): string {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
