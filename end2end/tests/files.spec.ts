import type { Page } from "@playwright/test";
import { expect, photo, registerResident, requestMediation, signIn, test } from "./fixtures";

// Photos as evidence and posters, on a phone, with JavaScript on and (in the phone-no-js
// project) off: the form is a plain multipart form either way.

const demoPassword = "demo-2026-zbs";
// Demo data: the mediator of 老何调解室·总浦桥分室, and the demo officer.
const mediatorPhone = "13900000102";
const officerPhone = "13900000201";

/// The thumbnail at `index` has loaded: the browser decoded what the portal served.
async function expectShown(page: Page, index = 0) {
  const img = page.locator(".file-list img").nth(index);
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
}

test("a resident adds a photo to a mediation request and the mediator sees it", async ({ page, browser }, info) => {
  await registerResident(page, "总浦桥社区");

  await requestMediation(page, "楼上漏水，把我家卫生间的天花板泡坏了，照片附上。", "楼上 602 住户");
  const casePage = new URL(page.url()).pathname;

  await page.getByLabel("添加照片或 PDF 材料").setInputFiles({ name: "漏水.png", mimeType: "image/png", buffer: photo() });
  if (info.project.use.javaScriptEnabled !== false) {
    // With JavaScript the chosen photo shows before it is sent.
    await expect(page.getByRole("img", { name: "漏水.png" })).toBeVisible();
  }
  await page.getByRole("button", { name: "上传" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已上传" })).toBeVisible();
  await expectShown(page);
  // A photo that is not one is refused in words, and nothing is kept.
  await page.getByLabel("添加照片或 PDF 材料").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not a photo") });
  await page.getByRole("button", { name: "上传" }).click();
  await expect(page.getByRole("alert")).toContainText("这个文件不是照片");
  await expect(page.locator(".file-list img")).toHaveCount(1);

  const { viewport, userAgent, isMobile, hasTouch, javaScriptEnabled, baseURL } = info.project.use;
  const mediator = await (
    await browser.newContext({ viewport, userAgent, isMobile, hasTouch, javaScriptEnabled, baseURL, locale: "zh-CN" })
  ).newPage();
  await signIn(mediator, mediatorPhone, demoPassword);
  await mediator.goto(casePage);
  await expectShown(mediator);
  const address = await mediator.locator(".file-list a.file-photo").first().getAttribute("href");
  const full = await mediator.request.get(address!);
  expect(full.status()).toBe(200);
  expect(full.headers()["content-type"]).toBe("image/jpeg");
  await mediator.context().close();

  // Anybody else is told there is no such file.
  test.info().annotations.push({ type: "expects-404" });
  const stranger = await browser.newContext({ baseURL });
  expect((await stranger.request.get(address!)).status()).toBe(404);
  await stranger.close();
});

test("an officer puts a poster on a notice and a visitor sees it", async ({ page, browser }, info) => {
  const visitor = await (await browser.newContext({ ...info.project.use, locale: "zh-CN" })).newPage();
  await visitor.goto("/notices");
  const links = await visitor.locator("a[href^='/notices/']").evaluateAll((all) => all.map((a) => a.getAttribute("href")));
  const notice = links.find((href) => /^\/notices\/\d+$/.test(href ?? ""));
  expect(notice).toBeTruthy();

  await signIn(page, officerPhone, demoPassword);
  await page.goto(notice!);
  const before = await page.locator(".file-list img").count();
  await page.getByLabel("添加照片").setInputFiles({ name: "poster.png", mimeType: "image/png", buffer: photo(120, 160) });
  await page.getByRole("button", { name: "上传" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已上传" })).toBeVisible();
  await expect(page.locator(".file-list img")).toHaveCount(before + 1);

  await visitor.goto(notice!);
  await expectShown(visitor, before);
  // Its size is on the page before the picture arrives: nothing moves when it does.
  await expect(visitor.locator(".file-list img").nth(before)).toHaveAttribute("width", "120");
  await expect(visitor.getByLabel("添加照片")).toHaveCount(0);
  await visitor.context().close();
});
