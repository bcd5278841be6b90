import { readFile } from "node:fs/promises";
import { expect, registerResident, test } from "./fixtures";

const demoPassword = "demo-2026-zbs";

test("my calendar address is made, read by a calendar app, and turned off", async ({ page }) => {
  // A resident of our own, so the two projects never renew each other's address.
  await registerResident(page);

  await page.goto("/me");
  await expect(page.getByText("您还没有日历订阅地址。")).toBeVisible();
  await page.getByRole("button", { name: "生成订阅地址" }).click();
  await expect(page.getByText("日历订阅地址已生成。")).toBeVisible();
  const address = await page.getByTestId("calendar-address").inputValue();
  expect(address).toMatch(/\/calendar\/[0-9a-f]{64}\.ics$/);
  await expect(page.getByRole("link", { name: "在手机日历中订阅" })).toHaveAttribute(
    "href",
    address.replace(/^https?:/, "webcal:"),
  );

  // What a calendar app fetches, with no cookie of ours.
  const feed = await page.request.get(address, { headers: { cookie: "" } });
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toBe("text/calendar; charset=utf-8");
  expect(await feed.text()).toContain("BEGIN:VCALENDAR");

  await page.getByRole("button", { name: "关闭订阅地址" }).click();
  await expect(page.getByText("日历订阅地址已关闭，旧地址不再有效。")).toBeVisible();
  expect((await page.request.get(address)).status()).toBe(404);
});

test("a booked session downloads into the phone's calendar from its case page", async ({ page }) => {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill("13900000001");
  await page.locator("input[name=password]").fill(demoPassword);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
  await page.goto("/mediation");
  const cases = page.locator("a.case-line");
  const count = await cases.count();
  // The demo resident's booking waiting: the case whose page offers the download.
  for (let i = 0; i < count; i++) {
    await page.goto("/mediation");
    await cases.nth(i).click();
    const link = page.getByRole("link", { name: "加入手机日历（.ics）" });
    if ((await link.count()) === 0) continue;
    const download = page.waitForEvent("download");
    await link.click();
    const text = await readFile(await (await download).path(), "utf8");
    expect(text).toContain("BEGIN:VEVENT");
    expect(text).toMatch(/SUMMARY:(视频)?调解 · /);
    return;
  }
  throw new Error("the demo resident has a case with a session booked");
});
