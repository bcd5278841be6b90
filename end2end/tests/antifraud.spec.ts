import { expect, signIn, test } from "./fixtures";

// 反诈登记 on a phone, with JavaScript on and (in the phone-no-js project) off: an
// auxiliary of 总浦桥社区's anti-fraud team finds a household at its door and records the
// visit in a few taps; a mistake is explained and nothing is saved.

const demoPassword = "demo-2026-zbs";
// Demo data: the first auxiliary of the first community's team.
const auxiliaryPhone = "13900000601";

test("an auxiliary records a household visit on the phone", async ({ page }, info) => {
  // Each project its own door: the two runs share one demo database.
  const door = info.project.use.javaScriptEnabled === false ? "2幢2单元302" : "2幢2单元301";
  await signIn(page, auxiliaryPhone, demoPassword);
  await page.getByRole("link", { name: "反诈登记" }).click();
  await expect(page.getByRole("heading", { name: "总浦桥社区" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "后海塘社区" })).toHaveCount(0);
  await page.locator("section.panel").first().getByRole("listitem").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/antifraud\/compounds\/\d+$/);

  await page.getByLabel("按门牌查找").fill(door);
  await page.getByRole("button", { name: "查找" }).click();
  await page.getByRole("link", { name: new RegExp(door) }).click();
  await expect(page.getByRole("heading", { name: door })).toBeVisible();

  // The warning on without the app: refused in words.
  await page.getByRole("checkbox", { name: "已开启来电预警" }).check();
  await page.getByRole("button", { name: "保存走访" }).click();
  await expect(page.getByText("没有安装反诈 App，就不能开启来电预警")).toBeVisible();

  await page.getByRole("checkbox", { name: "已安装" }).check();
  await page.getByRole("checkbox", { name: "已开启来电预警" }).check();
  await page.getByRole("checkbox", { name: "独居老人" }).check();
  await page.getByRole("checkbox", { name: "冒充公检法" }).check();
  await page.getByRole("checkbox", { name: "刷单返利" }).check();
  const followUp = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("回访日期").fill(followUp);
  await page.getByRole("button", { name: "保存走访" }).click();
  await expect(page.getByRole("status")).toHaveText("走访已登记。");
  await expect(page).toHaveURL(/\/antifraud\/compounds\/\d+\?done=visited$/);

  await page.getByLabel("按门牌查找").fill(door);
  await page.getByRole("button", { name: "查找" }).click();
  const card = page.getByRole("link", { name: new RegExp(door) });
  await expect(card).toContainText("已装反诈 App");
  await expect(card).toContainText("重点关注");
  await card.click();
  const visit = page.locator("section.panel li").first();
  await expect(visit).toContainText("刷单返利、冒充公检法");
  await expect(visit).toContainText("139****0601");
});
