import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";

// 消息外发 with an SMS provider: the third portal of playwright.config.ts, started with
// PORTAL_SMS=aliyun against scripts/fake_aliyun_sms.py (which checks every request's
// signature as the provider does). A newcomer registers with a texted code, books a
// session, and when `portal outbox --at` runs as of an hour before it, the fake receives
// the reminder, once. Both projects run it, with JavaScript and without.

const port = Number(process.env.E2E_SMS_PORT || Number(process.env.E2E_PORT || 3100) + 2);
const fake = `http://127.0.0.1:${Number(process.env.E2E_SMS_FAKE_PORT || port + 1)}`;
test.use({ baseURL: `http://127.0.0.1:${port}` });

type Text = { phone: string; sign: string; template: string; param: { code: string; time: string } };

async function textsTo(request: APIRequestContext, phone: string, template: string): Promise<Text[]> {
  const all: Text[] = await (await request.get(`${fake}/texts`)).json();
  return all.filter((t) => t.phone === phone && t.template === template);
}

/// The newest text of `template` to `phone`, waiting for the portal's worker to send it.
async function nextText(request: APIRequestContext, phone: string, template: string, seen: number) {
  await expect
    .poll(async () => (await textsTo(request, phone, template)).length, { timeout: 20_000 })
    .toBeGreaterThan(seen);
  return (await textsTo(request, phone, template)).at(-1)!;
}

/// `portal outbox --at` beside the running server, with the settings it was started with.
function outboxAt(at: Date) {
  const settings = Object.fromEntries(
    readFileSync(`/tmp/portal-e2e-port-${port}/env`, "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  execFileSync(settings.PORTAL_BIN, ["outbox", "--at", at.toISOString()], {
    env: { ...process.env, ...settings, RUST_LOG: "warn" },
  });
}

test("a newcomer registers with a texted code, books, and is reminded by text", async ({ page, request }, info) => {
  const phone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

  await page.goto("/register");
  await expect(page.getByRole("heading", { name: "第一步：获取验证码" })).toBeVisible();
  const step1 = page.locator("form[action='/api/register/code']");
  await step1.locator("input[name=phone]").fill(phone);
  await step1.getByRole("button", { name: "发送验证码" }).click();
  await expect(page.getByText("短信已发出，请查看手机")).toBeVisible();
  const code = await nextText(request, phone, "SMS_code", 0);
  expect(code.sign).toBe("招宝山派出所");
  expect(code.param.code).toMatch(/^\d{6}$/);

  const form = page.locator("form[action='/api/register']");
  await form.locator("input[name=phone]").fill(phone);
  await form.locator("input[name=code]").fill(code.param.code);
  await form.locator("input[name=password]").fill("haitian-xiongzhen-2026");
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await form.getByRole("checkbox").check();
  await form.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
  await page.goto("/me");
  await expect(page.getByTestId("verified")).toHaveText("您的手机号已验证。");

  await page.goto("/mediation/new");
  await page.getByLabel("纠纷类型").selectOption("neighbours");
  await page.getByLabel("事情经过").fill("楼上每天夜里十二点以后还在拖椅子，说过两次没有用。");
  await page.getByLabel("对方是谁").fill("楼上 502 住户");
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(/\/mediation\/cases\/ZBS-\d{4}-[2-9A-Z]{6}\?done=requested$/);
  const caseCode = page.url().match(/ZBS-\d{4}-[2-9A-Z]{6}/)![0];
  const slots = page.locator("form.slots > .slot-row > button[name=starts_at]");
  await expect(slots.first()).toBeVisible();
  await (info.project.name === "phone" ? slots.nth(1) : slots.last()).click();
  await expect(page.getByRole("status")).toHaveText("时间已预约。");

  // When the session starts, from its own calendar file; the command runs as of an hour
  // before it (the second reminder's time: daytime, never in quiet hours).
  const ics = await (await page.request.get(`/mediation/cases/${caseCode}/session.ics`)).text();
  const [, y, mo, d, h, mi] = ics.match(/DTSTART:(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})00Z/)!;
  const start = Date.UTC(+y, +mo - 1, +d, +h, +mi);
  const hourBefore = new Date(start - 3600_000);
  outboxAt(hourBefore);
  const reminder = await nextText(request, phone, "SMS_reminder", 0);
  expect(reminder.param.code).toBe(caseCode);
  // Swept and sent again as of the same time (as every server does each minute): nothing
  // more goes out.
  const sent = (await textsTo(request, phone, "SMS_reminder")).length;
  outboxAt(hourBefore);
  expect(await textsTo(request, phone, "SMS_reminder")).toHaveLength(sent);
});
