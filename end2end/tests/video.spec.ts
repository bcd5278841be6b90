import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, registerResident, test } from "./fixtures";

// 视频调解: a resident books a mediation by video; at its hour the mediator and the resident
// enter the room on two phones with Chromium's fake camera, each receives the other's video,
// they chat both ways, a third resident is turned away, and the chat stays with the case.
// The other party comes by the mediator's one-time invitation: opening the link (as a chat
// app's preview does) spends nothing, the button on its page does, once.
// (The e2e server opens rooms long before the slot: PORTAL_VIDEO_EARLY_MINUTES.)

const demoPassword = "demo-2026-zbs";
// Demo data: the mediator of the main 老何调解室, and a resident with nothing to do with it.
const mainRoomMediator = "13900000101";
const outsider = "13900000002";

async function signIn(page: Page, number: string, secret: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(secret);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

async function phoneAs(browser: Browser, info: TestInfo, number: string) {
  const page = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await signIn(page, number, demoPassword);
  return page;
}

/// Registers a resident who books a video mediation at the main room; returns the case code.
async function bookByVideo(page: Page, info: TestInfo): Promise<string> {
  await registerResident(page);
  await page.goto("/mediation/new");
  await page.getByLabel("纠纷类型").selectOption("neighbours");
  await page.getByLabel("事情经过").fill("楼上装修天天打墙，中午也不停，老人休息不好。");
  await page.getByLabel("对方是谁").fill("楼上 601 住户");
  await page.getByRole("radio", { name: "视频调解", exact: true }).check();
  await page.getByRole("radio", { name: /^老何调解室(?!·)/ }).check();
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(/\/mediation\/cases\/ZBS-/);
  const code = page.url().match(/ZBS-\d{4}-[2-9A-Z]{6}/)![0];
  // The two runs share the room's calendar: each takes its own slot.
  const slots = page.locator("form.slots > .slot-row > button[name=starts_at]");
  await expect(slots.first()).toBeVisible();
  // Not the first: its booking cut-off may pass between the page and the click.
  await (info.project.use.javaScriptEnabled === false ? slots.nth(2) : slots.nth(1)).click();
  await expect(page.getByRole("status")).toHaveText("时间已预约。");
  return code;
}

async function enter(page: Page) {
  await expect(page.getByRole("button", { name: "进入调解室" })).toBeEnabled();
  await page.getByRole("button", { name: "进入调解室" }).click();
}

/// Waits until a remote video of the room plays with a picture.
async function seesSomeone(page: Page) {
  const remote = page.locator("figure.remote video").first();
  await expect(remote).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(
      () => remote.evaluate((v: HTMLVideoElement) => !v.paused && v.videoWidth > 0 && v.videoHeight > 0),
      { timeout: 20_000 },
    )
    .toBe(true);
}

test("mediator and resident see and hear each other, chat, and the chat stays with the case", async ({
  page,
  browser,
}, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, "video needs JavaScript; see the next test");
  test.setTimeout(90_000);
  test.info().annotations.push({ type: "expects-404", description: "the outsider is turned away" });
  const code = await bookByVideo(page, info);
  await page.getByRole("link", { name: "进入视频调解室" }).click();
  await expect(page).toHaveURL(`/mediation/video/${code}`);
  // The pre-join check shows the camera before anyone enters.
  await expect
    .poll(() => page.locator("#preview").evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);

  const mediator = await phoneAs(browser, info, mainRoomMediator);
  await mediator.goto(`/mediation/cases/${code}`);
  await mediator.getByRole("link", { name: "进入视频调解室" }).click();
  await enter(mediator);
  await enter(page);
  await seesSomeone(page);
  await seesSomeone(mediator);
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(fits).toBe(true);

  await page.getByPlaceholder("想说的话").fill("我这边有点卡，先打字说。");
  await page.getByRole("button", { name: "发送" }).click();
  await expect(mediator.locator("#chat-log")).toContainText("我这边有点卡，先打字说。");
  await mediator.getByPlaceholder("想说的话").fill("好的，我们慢慢说。");
  await mediator.getByRole("button", { name: "发送" }).click();
  await expect(page.locator("#chat-log")).toContainText("好的，我们慢慢说。");

  const stranger = await phoneAs(browser, info, outsider);
  const refused = await stranger.goto(`/mediation/video/${code}`);
  expect(refused?.status()).toBe(404);
  await stranger.context().close();

  await mediator.getByRole("button", { name: "结束调解" }).click();
  await expect(page.locator(".status")).toHaveText("调解员已结束本次视频调解。");
  await mediator.context().close();

  await page.goto(`/mediation/cases/${code}`);
  const chat = page.locator("#video .chat-log");
  await expect(chat).toContainText("我这边有点卡，先打字说。");
  await expect(chat).toContainText("好的，我们慢慢说。");
});

test("without JavaScript the room says what it needs and the case keeps the way in", async ({ page }, info) => {
  test.skip(info.project.use.javaScriptEnabled !== false, "the JavaScript run is the test above");
  const code = await bookByVideo(page, info);
  await page.getByRole("link", { name: "进入视频调解室" }).click();
  await expect(page).toHaveURL(`/mediation/video/${code}`);
  await expect(page.getByText("视频通话需要浏览器打开 JavaScript。")).toBeVisible();
  await expect(page.getByRole("heading", { name: "文字聊天" })).toBeVisible();
});

test("the invitation link opens a page whose button lets the other party in, once", async ({ page, browser }, info) => {
  const code = await bookByVideo(page, info);
  const mediator = await phoneAs(browser, info, mainRoomMediator);
  await mediator.goto(`/mediation/cases/${code}`);
  await mediator.getByRole("button", { name: "邀请对方当事人" }).click();
  const link = await mediator.locator("code.invite").first().innerText();
  expect(link).toContain(`/mediation/video/${code}?invite=`);
  await mediator.context().close();

  const stranger = () => browser.newContext({ ...info.project.use, locale: "zh-CN" });
  const guestContext = await stranger();
  const guest = await guestContext.newPage();
  // Opened twice (a preview, then the person): still unused.
  await guest.goto(link);
  await guest.reload();
  await expect(guest.getByText("调解员邀请你参加视频调解")).toBeVisible();
  await guest.getByRole("button", { name: "接受邀请" }).click();
  await expect(guest).toHaveURL(`/mediation/video/${code}`);
  await expect(guest.getByRole("heading", { name: "文字聊天" })).toBeVisible();
  await guestContext.close();

  const lateContext = await stranger();
  const late = await lateContext.newPage();
  await late.goto(link);
  await late.getByRole("button", { name: "接受邀请" }).click();
  await expect(late.getByRole("alert")).toHaveText("这个邀请已经用过了，请向调解员要一个新的。");
  await lateContext.close();
});
