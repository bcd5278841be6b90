import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";

// 护苗队 on a phone, with JavaScript on and (in the phone-no-js project) off: the leader of
// 招宝好管家护苗队 publishes the 护学 duty at 镇海中学 once for every school day, and a
// volunteer of the squad signs up for the first of them.

const demoPassword = "demo-2026-zbs";
// Demo data: the squad's leader and its first volunteer.
const leaderPhone = "13900000711";
const volunteerPhone = "13900000712";

const day = (offset: number) => {
  // Local (UTC+8) dates, as the portal reads them.
  const at = new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000);
  return at.toISOString().slice(0, 10);
};

async function publishDuty(page: Page, title: string) {
  await page.goto("/volunteers/lead");
  await page.locator("summary", { hasText: "发布班次或活动" }).click();
  const form = page.locator("form", { has: page.getByRole("button", { name: "发布班次或活动" }) });
  await form.getByLabel("小分队").selectOption({ label: "招宝好管家护苗队" });
  await form.getByLabel("标题").fill(title);
  await form.getByLabel("地点").fill("镇海中学正门");
  await form.locator('input[name="shift[day]"]').fill(day(2));
  await form.locator('input[name="shift[start]"]').fill("07:10");
  await form.locator('input[name="shift[end]"]').fill("07:50");
  await form.locator('input[name="shift[deadline_hours]"]').fill("12");
  await form.getByRole("checkbox", { name: "每个上学日重复（护校/护学）" }).check();
  // Half a year: a term is reached from any day of the year.
  await form.getByLabel("重复到（含这一天）").fill(day(180));
  await form.getByRole("button", { name: "发布班次或活动" }).click();
  await expect(page.getByRole("status")).toHaveText("已发布。");
}

test("a volunteer signs up for the 护学 duty at the school gate", async ({ page, browser }, info) => {
  const title = `护学岗 ${Math.random().toString(36).slice(2, 7)}`;
  const leader = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await signIn(leader, leaderPhone, demoPassword);
  await publishDuty(leader, title);
  await leader.context().close();

  await signIn(page, volunteerPhone, demoPassword);
  await page.goto("/volunteers");
  const duty = page.locator("li.shift", { hasText: title }).first();
  await expect(duty).toContainText("护学岗 · 镇海中学");
  await duty.getByRole("button", { name: "报名" }).click();
  await expect(page.getByRole("status")).toHaveText("报名成功。");
  await expect(page.locator("li.shift", { hasText: title }).first().getByText("已报名")).toBeVisible();
});
