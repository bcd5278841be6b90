import { test as base, type Browser, expect, type Page, type TestInfo } from "@playwright/test";
import { deflateSync } from "node:zlib";

export { expect };

/// Registers a new resident of `community` under a number of its own (reruns against the
/// same server never collide) and leaves them signed in.
export async function registerResident(page: Page, community = "城东社区") {
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(`137${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`);
  await page.locator("input[name=password]").fill("haitian-xiongzhen-2026");
  await page.getByLabel("所在社区").selectOption({ label: community });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
}

/// The signed-in resident asks for mediation of a quarrel with a neighbour (`other`), in
/// their own community's room; lands on the new case and gives its code.
export async function requestMediation(page: Page, story: string, other: string): Promise<string> {
  await page.goto("/mediation/new");
  await page.getByLabel("纠纷类型").selectOption("neighbours");
  await page.getByLabel("事情经过").fill(story);
  await page.getByLabel("对方是谁").fill(other);
  await page.getByLabel("和您的关系").fill("邻居");
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(/\/mediation\/cases\/ZBS-\d{4}-[2-9A-Z]{6}\?done=requested$/);
  return page.url().match(/ZBS-\d{4}-[2-9A-Z]{6}/)![0];
}

/// Signs in as `phone` and lands on 我的.
export async function signIn(page: Page, phone: string, password: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(phone);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

/// An officer (the demo's) publishes an urgent anti-fraud notice for `community`, in a
/// browser of their own, on the project's portal or the one at `baseURL`.
export async function publishUrgent(browser: Browser, info: TestInfo, title: string, community: string, baseURL?: string) {
  const use = { ...info.project.use, locale: "zh-CN", ...(baseURL ? { baseURL } : {}) };
  const officer = await (await browser.newContext(use)).newPage();
  await officer.goto("/login");
  await officer.locator("input[name=phone]").fill("13900000201");
  await officer.locator("input[name=password]").fill("demo-2026-zbs");
  await officer.getByRole("button", { name: "登录" }).click();
  await officer.goto("/notices/new");
  await officer.getByLabel("标题").fill(title);
  await officer.getByLabel("正文").fill("自称**公检法**的来电要求转账到“安全账户”，一律是诈骗。\n\n- 不转账\n- 不透露验证码");
  await officer.getByLabel("类别").selectOption("fraud");
  await officer.getByLabel("级别").selectOption("urgent");
  await officer.getByRole("radio", { name: "选定的社区：" }).check();
  await officer.getByRole("checkbox", { name: community, exact: true }).check();
  await officer.getByRole("checkbox", { name: "置顶" }).check();
  await officer.getByRole("button", { name: "保存草稿" }).click();
  await expect(officer.getByRole("status")).toHaveText(/已保存/);
  // The preview renders the Markdown-lite.
  await expect(officer.locator(".preview strong")).toHaveText("公检法");
  await expect(officer.locator(".preview li")).toHaveText(["不转账", "不透露验证码"]);
  await officer.getByRole("button", { name: "发布" }).click();
  await expect(officer.getByRole("status")).toHaveText("已发布。");
  await officer.context().close();
}

// Every test fails on a console error: a CSP violation, a failed island or a broken
// request shows up here first. A test that meets an error status on purpose says so with
// an annotation such as "expects-404".
export const test = base.extend<{ consoleErrors: void }>({
  consoleErrors: [
    async ({ page }, use, info) => {
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await use();
      const expected = info.annotations
        .filter((a) => a.type.startsWith("expects-"))
        .map((a) => `status of ${a.type.slice("expects-".length)}`);
      expect(errors.filter((e) => !expected.some((status) => e.includes(status)))).toEqual([]);
    },
    { auto: true },
  ],
});

/// A photo as a phone's gallery gives it: a PNG of `width` × `height` coloured pixels.
export function photo(width = 48, height = 32): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (kind: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(kind, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([(x * 5) % 256, (y * 8) % 256, 120], y * (1 + width * 3) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
