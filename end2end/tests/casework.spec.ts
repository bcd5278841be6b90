import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

// 警网融合 on a phone, with and without JavaScript: an officer opens a case from a walk-in
// and gives it to a mutual-aid station; the station's member starts it and reports the
// outcome; the officer closes it with the resident's word; the figures count it.

const demoPassword = "demo-2026-zbs";
// Demo data: the community officer, and a member of 总浦桥·海晏花园自治互助站.
const officer = "13900000201";
const stationMember = "13900000501";
const station = "总浦桥·海晏花园自治互助站";

async function signIn(page: Page, number: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(demoPassword);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

async function phoneAs(browser: Browser, info: TestInfo, number: string) {
  const page = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await signIn(page, number);
  return page;
}

async function closedCount(page: Page) {
  // All time: a rolling window may let an old demo case slip out between the two reads.
  await page.goto("/board/figures?period=all");
  const tile = page.locator("ul.figures.big li", { hasText: "办结案件" });
  return Number(await tile.locator("strong").innerText());
}

test("a walk-in goes round the loop and the figures count it", async ({ page, browser }, info) => {
  const title = `楼道堆放杂物 ${Math.random().toString(36).slice(2, 7)}`;
  await signIn(page, officer);
  await expect(page.getByRole("link", { name: "案件工作台" })).toBeVisible();
  const before = await closedCount(page);

  await page.goto("/board/new");
  await page.getByLabel("来源").selectOption({ label: "来访" });
  await page.getByLabel("事由").fill(title);
  await page.getByLabel("情况").fill("三楼楼道堆满纸箱，老人下楼不方便，也有火灾隐患。");
  await page.getByLabel("来访（来电）人").fill("陈阿姨");
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await page.getByRole("button", { name: "登记新案件" }).click();
  await expect(page.getByRole("status")).toHaveText("案件已登记。");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  const casePage = page.url().split("?")[0];

  const assign = page.locator("form", { has: page.getByRole("button", { name: "分派", exact: true }) });
  await assign.getByLabel("承办单位").selectOption({ label: station });
  await assign.getByRole("button", { name: "分派", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("已分派。");

  const member = await phoneAs(browser, info, stationMember);
  await member.getByRole("link", { name: "案件工作台" }).click();
  await member.getByRole("link", { name: new RegExp(title) }).click();
  await member.getByRole("button", { name: "开始办理" }).click();
  await expect(member.getByRole("status")).toHaveText("已开始办理。");
  await member.getByLabel("处理结果").fill("联系物业和楼长，纸箱已清走。");
  await member.getByRole("button", { name: "报告处理结果" }).click();
  await expect(member.getByRole("status")).toHaveText("处理结果已报告，等待回访。");
  await member.context().close();

  await page.goto(casePage);
  await page.getByLabel("居民反馈").fill("楼道干净了，谢谢。");
  await page.getByLabel("满意度").selectOption("5");
  await page.getByRole("button", { name: "办结" }).click();
  await expect(page.getByRole("status")).toHaveText("已办结。");
  const history = page.locator("ol.timeline");
  for (const step of ["受理", "分派", "开始办理", "报告结果", "办结"]) {
    await expect(history).toContainText(step);
  }
  // The other project's run may close its own case meanwhile: at least ours is counted.
  expect(await closedCount(page)).toBeGreaterThanOrEqual(before + 1);
});

test("residents cannot open the board", async ({ page }) => {
  test.info().annotations.push({ type: "expects-403", description: "the board is for staff" });
  await signIn(page, "13900000002");
  await expect(page.getByRole("link", { name: "案件工作台" })).toHaveCount(0);
  const response = await page.goto("/board");
  expect(response?.status()).toBe(403);
});

test("an officer changes how long a stage may take", async ({ page }) => {
  await signIn(page, officer);
  await page.goto("/board");
  await page.getByRole("link", { name: "办理时限" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("办理时限");
  await page.getByLabel("来源").selectOption({ label: "来电" });
  await page.getByLabel("环节").selectOption({ label: "研判" });
  await page.getByLabel("时限（小时，1–8760）").fill("30");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("status")).toHaveText("时限已保存。");
  // Cells after the row's header: 受理, 研判, …
  const calls = page.getByRole("row", { name: /^来电/ });
  await expect(calls.getByRole("cell").nth(1)).toHaveText("30 小时");
  await expect(calls.getByRole("cell").nth(2)).toHaveText("48 小时 · 超时上报");
});
