import { expect, signIn, test } from "./fixtures";

// 警企联络室 on a phone, with JavaScript on and (in the phone-no-js project) off: 安德机械's
// contact files a service request from the enterprise's board; it waits there at 受理, and
// the community officer meets it on the loop's board with the enterprise as its source.

const demoPassword = "demo-2026-zbs";
// Demo data: 安德机械's first contact and the community officer.
const contactPhone = "13900000701";
const officerPhone = "13900000201";

test("an enterprise's service request reaches the officer's board", async ({ page, browser }, info) => {
  const title = `夜班女工下班被尾随 ${Math.random().toString(36).slice(2, 7)}`;
  await signIn(page, contactPhone, demoPassword);
  await page.getByRole("link", { name: "警企联络室" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("安德机械 · 警企联络室");
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("具体情况").fill("最近两周有女工反映夜班下班走北侧小路时被人尾随，希望加强巡逻。");
  await page.getByRole("button", { name: "提交需求" }).click();
  await expect(page.getByRole("status")).toHaveText("已提交。派出所会尽快分派处理，进展会显示在下面。");
  const request = page.locator("li.card", { hasText: title });
  await expect(request).toContainText("受理");
  await expect(request).toContainText("我于");

  const officer = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await signIn(officer, officerPhone, demoPassword);
  await officer.goto("/board");
  await officer.getByRole("link", { name: new RegExp(title) }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(title);
  await officer.getByRole("link", { name: "驻企服务 · 安德机械" }).click();
  await expect(officer.locator("li.card", { hasText: title })).toBeVisible();
  // The officer reads the board; only the enterprise's contacts file on it.
  await expect(officer.getByRole("button", { name: "提交需求" })).toHaveCount(0);
  await officer.context().close();
});
