import type { APIRequestContext } from "@playwright/test";
import { expect, publishUrgent, test } from "./fixtures";

// WeChat and e-mail, on the portal of sms.spec.ts, which also sends through
// scripts/fake_wechat.py (WeChat's web authorisation and template messages) and
// scripts/fake_smtp.py (SMTP with STARTTLS). A resident links their WeChat from 我的, proves
// an e-mail address with the mailed code, takes urgent notices off their texts, and the
// officer's urgent notice reaches their WeChat and their mailbox. Both projects run it,
// with JavaScript and without, each as a demo resident of their own.

const port = Number(process.env.E2E_SMS_PORT || Number(process.env.E2E_PORT || 3100) + 2);
const smsFake = `http://127.0.0.1:${Number(process.env.E2E_SMS_FAKE_PORT || port + 1)}`;
const wechatFake = `http://127.0.0.1:${Number(process.env.E2E_WECHAT_FAKE_PORT || port + 2)}`;
const smtpPort = Number(process.env.E2E_SMTP_PORT || port + 3);
const mailFake = `http://127.0.0.1:${Number(process.env.E2E_SMTP_HTTP_PORT || smtpPort + 1)}`;
const portal = `http://127.0.0.1:${port}`;
test.use({ baseURL: portal });

type Mail = { envelope_to: string[]; subject: string; text: string; tls: boolean };
type Card = { touser: string; template_id: string; url: string; data: Record<string, string> };

async function mailsTo(request: APIRequestContext, address: string): Promise<Mail[]> {
  const all: Mail[] = await (await request.get(`${mailFake}/mails`)).json();
  return all.filter((m) => m.envelope_to.includes(address));
}

async function cardsTo(request: APIRequestContext, openid: string): Promise<Card[]> {
  const all: Card[] = await (await request.get(`${wechatFake}/messages`)).json();
  return all.filter((m) => m.touser === openid);
}

test("a resident links WeChat and proves an address, and an urgent notice reaches both", async ({ page, context, browser, request }, info) => {
  const [phone, community] = info.project.name === "phone" ? ["13900000001", "总浦桥社区"] : ["13900000002", "后海塘社区"];
  // Who holds the phone in the fake WeChat, for this browser alone.
  const holder = `e2e-${info.project.name}`;
  await context.addCookies([{ name: "fake_wechat_holder", value: holder, domain: "127.0.0.1", path: "/" }]);
  const openid: string = (await (await request.get(`${wechatFake}/fake/openid?name=${holder}`)).json()).openid;

  await page.goto("/login");
  await page.locator("input[name=phone]").fill(phone);
  await page.locator("input[name=password]").fill("demo-2026-zbs");
  await page.getByRole("button", { name: "登录" }).click();
  await page.goto("/me");

  // 绑定微信: to WeChat and back, at once.
  await page.getByRole("link", { name: "绑定微信" }).click();
  await expect(page.getByText("微信已绑定")).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "微信" })).toBeVisible();

  // An address, proven by the code mailed to it over STARTTLS.
  const address = `${holder}@example.cn`;
  const ask = page.locator("form[action='/api/outbox/email-code']");
  await ask.getByLabel("邮箱地址").fill(address);
  await ask.getByRole("button", { name: "发送验证码" }).click();
  await expect(page.getByText("验证码邮件已发出")).toBeVisible();
  await expect.poll(async () => (await mailsTo(request, address)).length, { timeout: 20_000 }).toBe(1);
  const [codeMail] = await mailsTo(request, address);
  expect(codeMail.tls).toBe(true);
  const code = codeMail.text.match(/\d{6}/)?.[0] ?? "";
  const prove = page.locator("form[action='/api/outbox/email-verify']");
  await prove.getByLabel("邮件验证码").fill(code);
  await prove.getByRole("button", { name: "验证" }).click();
  await expect(page.getByText("邮箱已验证。")).toBeVisible();

  // Urgent notices by WeChat and e-mail, no longer by text.
  await page.getByRole("checkbox", { name: "紧急提示（防诈骗、安全预警） · 短信" }).uncheck();
  await expect(page.getByRole("checkbox", { name: "紧急提示（防诈骗、安全预警） · 邮件" })).toBeChecked();
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("消息提醒的选择已保存。")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "紧急提示（防诈骗、安全预警） · 短信" })).not.toBeChecked();

  const title = `冒充客服退款诈骗 ${Math.random().toString(36).slice(2, 8)}`;
  await publishUrgent(browser, info, title, community, portal);
  await expect.poll(async () => (await cardsTo(request, openid)).length, { timeout: 20_000 }).toBe(1);
  const [card] = await cardsTo(request, openid);
  expect(card.template_id).toBe("TPL_urgent");
  expect(card.url).toMatch(/\/notices\/\d+$/);
  expect([...card.data.thing1].length).toBeLessThanOrEqual(20);
  await expect.poll(async () => (await mailsTo(request, address)).length, { timeout: 20_000 }).toBe(2);
  const notice = (await mailsTo(request, address))[1];
  expect(notice.subject).toContain("【招宝山派出所】");
  expect(notice.text).toContain(title);
  expect(notice.text).toContain("/me#channels");
  const texts: { phone: string; template: string }[] = await (await request.get(`${smsFake}/texts`)).json();
  expect(texts.filter((t) => t.phone === phone && t.template === "SMS_urgent")).toEqual([]);
});
