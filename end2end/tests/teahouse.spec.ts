import type { Browser, Page, TestInfo } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";

// 警事茶楼 on a phone, with and without JavaScript: a new resident asks on the 人大代表
// board, the room's liaison answers with the badge, the resident accepts the answer. Then a
// corpus of hostile text goes through the real reply form and comes back as text.

const demoPassword = "demo-2026-zbs";
// Demo data: a liaison of 人大代表联络室, and the community officer.
const liaison = "13900000401";
const officer = "13900000201";
const phone = () => `139${String(Math.floor(10_000_000 + Math.random() * 8e7))}`;
const payloads: string[] = JSON.parse(readFileSync(`${__dirname}/data/xss-payloads.json`, "utf8"));

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

async function fitsThePhone(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test("a resident asks, the liaison answers with the badge, the answer is accepted", async ({ page, browser }, info) => {
  const title = `楼道灯坏了 ${Math.random().toString(36).slice(2, 7)}`;
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill("haitian-xiongzhen-2026");
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();

  await page.goto("/teahouse");
  await fitsThePhone(page);
  await page.getByRole("link", { name: /人大代表联络室/ }).click();
  await page.getByRole("link", { name: "发新帖" }).click();
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("想说的事").fill("3 号楼二单元的楼道灯坏了两个星期，晚上老人上下楼看不见。");
  await page.getByLabel("你的称呼").fill("二单元小周");
  await page.getByRole("button", { name: "发表" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  const thread = page.url();
  await fitsThePhone(page);

  const answerer = await phoneAs(browser, info, liaison);
  await answerer.goto(thread);
  await expect(answerer.getByText("你的回复会带“人大代表联络室联络员”标识。")).toBeVisible();
  await answerer.getByLabel("回复", { exact: true }).fill("已联系物业，明天上午来换灯。");
  await answerer.getByRole("button", { name: "回复", exact: true }).click();
  await expect(answerer.locator("article.post.official")).toContainText("已联系物业");
  await answerer.context().close();

  await page.goto(thread);
  const answer = page.locator("article.post.official", { hasText: "已联系物业" });
  await expect(answer.locator(".badge.official")).toHaveText("人大代表联络室联络员");
  await answer.getByRole("button", { name: "采纳这条答复" }).click();
  await expect(page.getByRole("status")).toHaveText("已采纳这条答复，谢谢！");
  await expect(page.locator("article.post.accepted")).toContainText("采纳的答复");
  await expect(page.locator("p.notice-tags .chip").first()).toHaveText("已答复");

  await page.goto("/me/inbox");
  await expect(page.getByRole("link", { name: `你的帖子“${title}”有新回复` })).toBeVisible();
});

test("hostile text posted through the reply form stays text", async ({ page }) => {
  test.setTimeout(180_000);
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signIn(page, officer);
  await page.goto("/teahouse");
  await page.getByRole("link", { name: /茶叙/ }).click();
  await page.getByRole("link", { name: "发新帖" }).click();
  await page.getByLabel("标题").fill("<img src=x onerror=alert(1)> 测试");
  await page.getByLabel("想说的事").fill(payloads[0]);
  await page.getByRole("button", { name: "发表" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("<img src=x onerror=alert(1)> 测试");
  const thread = page.url();
  for (const payload of payloads) {
    await page.getByLabel("回复", { exact: true }).fill(payload);
    await page.getByRole("button", { name: "回复", exact: true }).click();
    // The page the post leads to has an empty reply box (the old one still holds the text).
    await expect(page.getByLabel("回复", { exact: true })).toHaveValue("");
  }
  // Thirty replies to a page: the corpus fills two.
  let text = "";
  for (const n of [1, 2]) {
    await page.goto(`${thread}?page=${n}`);
    text += await page.locator("main").innerText();
    expect(await page.locator("main img, main svg, main iframe, main object, main embed").count()).toBe(0);
    expect(await page.locator("main a[href^='javascript'], main a[href^='data']").count()).toBe(0);
  }
  for (const payload of payloads) {
    // What Markdown-lite makes of it: bold markers and a list dash are formatting, the rest
    // is shown as typed.
    const visible = payload.replaceAll("**", "").replace(/^- /, "");
    expect(text, payload).toContain(visible);
  }
  expect(dialogs).toEqual([]);
});
