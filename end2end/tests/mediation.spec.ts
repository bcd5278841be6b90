import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

// 你点我调 from request to follow-up, with the resident and the mediator in two browsers.
// The phone-no-js project runs the same journey with JavaScript off: every step is a form.

const password = "haitian-xiongzhen-2026";
// Demo data: the mediator of 老何调解室·总浦桥分室 and the demo accounts' password.
const mediatorPhone = "13900000102";
const demoPassword = "demo-2026-zbs";

const phone = () => `139${String(Math.floor(10_000_000 + Math.random() * 8e7))}`;

async function signIn(page: Page, number: string, secret: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(secret);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

async function secondPhone(browser: Browser, info: TestInfo): Promise<Page> {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, javaScriptEnabled, baseURL } =
    info.project.use;
  const context = await browser.newContext({
    viewport,
    userAgent,
    deviceScaleFactor,
    isMobile,
    hasTouch,
    javaScriptEnabled,
    baseURL,
    locale: "zh-CN",
  });
  return context.newPage();
}

async function receivedFigure(page: Page): Promise<number> {
  await page.goto("/stats");
  return Number(await page.locator("[data-figure=received]").innerText());
}

test("a resident books, the mediator accepts and records the outcome, the resident rates it", async ({
  page,
  browser,
}, info) => {
  test.info().annotations.push({ type: "expects-401" });
  const before = await receivedFigure(page);

  // A visitor is asked to sign in and comes back to the form.
  await page.goto("/mediation");
  await page.getByRole("link", { name: "申请调解" }).click();
  await expect(page).toHaveURL("/mediation/new");
  await page.getByRole("link", { name: "登录" }).first().click();
  await expect(page).toHaveURL(/\/login\?next=/);

  await page.goto("/register");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill(password);
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);

  await page.goto("/mediation/new");
  await page.getByLabel("纠纷类型").selectOption("neighbours");
  await page.getByLabel("事情经过").fill("楼上每天夜里十二点以后还在拖椅子，说过两次没有用。");
  await page.getByLabel("对方是谁").fill("楼上 502 住户");
  await page.getByLabel("和您的关系").fill("邻居");
  await page.getByLabel("对方电话（可不填）").fill("13812341234");
  // The resident's own community's branch is offered first and chosen already.
  await expect(page.getByRole("radio", { name: /总浦桥分室/ })).toBeChecked();
  await page.getByRole("button", { name: "提交申请" }).click();

  await expect(page).toHaveURL(/\/mediation\/cases\/ZBS-\d{4}-[2-9A-Z]{6}\?done=requested$/);
  const code = page.url().match(/ZBS-\d{4}-[2-9A-Z]{6}/)![0];
  await expect(page.getByText("待选时间")).toBeVisible();
  // Both runs of this test share the room's calendar: each takes its own end of it.
  // (The nearest days are open; later ones fold away under "更多日期".)
  const slots = page.locator("form.slots > .slot-row > button[name=starts_at]");
  await expect(slots.first()).toBeVisible();
  // Not the first: its booking cut-off may pass between the page and the click.
  const slot = info.project.name === "phone" ? slots.nth(1) : slots.last();
  await slot.click();
  await expect(page.getByRole("status")).toHaveText("时间已预约。");
  await expect(page.locator(".status")).toHaveText("待确认");
  // The resident sees the other party's number masked only.
  await expect(page.getByText("138****1234")).toBeVisible();
  await expect(page.getByText("13812341234")).toHaveCount(0);

  // The mediator, on another phone, finds the request in the queue.
  const mediator = await secondPhone(browser, info);
  await signIn(mediator, mediatorPhone, demoPassword);
  await mediator.goto("/mediation/queue");
  await mediator.getByRole("link", { name: new RegExp(code) }).click();
  await expect(mediator.getByText("13812341234")).toBeVisible();
  await mediator.getByRole("button", { name: "确认受理" }).click();
  await expect(mediator.locator(".status")).toHaveText("已确认");
  await mediator.getByLabel("调解结果").selectOption("reached");
  await mediator.getByLabel("协议内容").fill("每晚十点后不拖动家具，椅子脚加装静音垫。");
  await mediator.getByLabel("涉及金额").fill("0");
  await mediator.getByRole("button", { name: "记录调解结果" }).click();
  await expect(mediator.locator(".status")).toHaveText("待回访");
  await mediator.context().close();

  // The resident hears of it in the inbox and leaves a five-star follow-up.
  await page.goto("/me/inbox");
  await expect(page.getByRole("link", { name: `案件 ${code} 已确认受理` })).toBeVisible();
  await page.getByRole("link", { name: `案件 ${code} 已有调解结果，请做回访评价` }).click();
  await expect(page.getByText("达成协议", { exact: true })).toBeVisible();
  await page.getByRole("radio", { name: /非常满意/ }).check();
  await page.getByRole("button", { name: "提交回访" }).click();
  await expect(page.locator(".status")).toHaveText("已办结");
  await expect(page.locator(".rating")).toContainText("★★★★★");
  const timeline = page.locator(".timeline li strong");
  await expect(timeline).toHaveText(["提交申请", "预约时间", "已确认", "调解已进行", "记录结果", "回访"]);

  expect(await receivedFigure(page)).toBeGreaterThan(before);
});

test("another resident cannot open someone else's case", async ({ page }) => {
  test.info().annotations.push({ type: "expects-404" });
  await signIn(page, "13900000001", demoPassword);
  await page.goto("/mediation");
  const href = await page.locator("a.case-line").first().getAttribute("href");
  expect(href).toMatch(/^\/mediation\/cases\/ZBS-/);
  await page.context().clearCookies();
  await signIn(page, "13900000002", demoPassword);
  await page.goto(href!);
  await expect(page.getByRole("alert")).toHaveText(/没有找到/);
});
