import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

// A station sets up its own portal: `portal init` on an empty database (the second server
// of playwright.config.ts, started by scripts/e2e-server.sh with E2E_START=empty), then the
// admin signs in and uploads directory files (one with problems, one from Excel in GBK, one
// of this run's own), reads each preview, applies, and makes someone the mediator of an
// imported room; a resident registers in an imported community and asks that room for
// mediation; the mediator finds the request in their queue. With JavaScript and without
// (the phone-no-js project): every step is a plain form. Both projects share the server,
// so this run's own organisations carry a suffix.

test.use({ baseURL: `http://127.0.0.1:${process.env.E2E_EMPTY_PORT || Number(process.env.E2E_PORT || 3100) + 1}` });

const admin = { phone: "13700000099", password: "e2e-admin-haigang-2026" };
const password = "haitian-xiongzhen-2026";
const phone = () => `139${String(Math.floor(10_000_000 + Math.random() * 8e7))}`;
const data = "../server/tests/data";

async function signIn(page: Page, number: string, secret: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(secret);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

async function register(page: Page, number: string, community: string) {
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(password);
  await page.getByLabel("所在社区").selectOption({ label: community });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
}

async function newPhone(browser: Browser, info: TestInfo, baseURL?: string): Promise<Page> {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, javaScriptEnabled } = info.project.use;
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

async function upload(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.goto("/admin/directory/import");
  await page.getByLabel(/名录文件/).setInputFiles(file);
  await page.getByRole("button", { name: "上传并预览" }).click();
  await expect(page).toHaveURL(/\/admin\/directory\/import\/\d+$/);
}

test("from portal init on an empty database: the admin imports the directory, a resident of it asks its room, the mediator sees it", async ({
  page,
  browser,
  baseURL,
}, info) => {
  const suffix = `${info.project.name === "phone" ? "甲" : "乙"}${Math.floor(Math.random() * 1e6)}`;
  const community = `试点社区${suffix}`;
  const room = `试点调解室${suffix}`;
  const mediatorPhone = phone();

  // The station entered by `portal init` names the portal (its district); no demo is in it.
  await page.goto("/");
  await expect(page.locator("header")).toContainText("海港街道");
  await expect(page.getByText(/演示数据/)).toHaveCount(0);

  await signIn(page, admin.phone, admin.password);
  await page.goto("/admin");
  await page.getByRole("link", { name: "名录管理" }).click();
  await expect(page).toHaveURL("/admin/directory");
  await page.getByRole("link", { name: "导入名录" }).click();

  // A file with problems: each line is named, and there is nothing to apply.
  await upload(page, `${data}/directory-errors.csv`);
  const problems = page.getByTestId("problems");
  await expect(problems).toContainText("第 2 行： 找不到上级组织");
  await expect(problems).toContainText("第 3 行： 不认识的类型“星球”");
  await expect(problems).toContainText("第 4 行： 这一类组织不填“电话”一栏");
  await expect(problems).toContainText("第 5 行： 不认识的状态“也许”");
  await expect(problems).toContainText("第 6 行： 名称要 2 到 40 个字");
  await expect(page.getByRole("button", { name: "全部导入" })).toHaveCount(0);

  // Excel's GBK file: read as such, applied (the other project's run may have made it
  // already: then there is nothing to create, and applying changes nothing).
  await upload(page, `${data}/directory-gbk.csv`);
  await expect(page.getByText("文件编码：GBK")).toBeVisible();
  await expect(page.getByTestId("preview-summary")).toContainText("错误 0 处");
  await page.getByRole("button", { name: "全部导入" }).click();
  await expect(page.getByText("名录已导入。")).toBeVisible();

  // This run's own file, in UTF-8: its community and its room, under the imported office.
  const csv =
    "类型,名称,上级,地址,开放时间,电话\n" +
    `社区,${community},海港警务室,,,\n` +
    `调解室,${room},${community},试点路1号,周一至周五 9:00-17:00,0574-86001234\n`;
  await upload(page, { name: "directory.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await expect(page.getByTestId("preview-summary")).toHaveText(
    "新建 2 个，修改 0 个，不变 0 个，错误 0 处。",
  );
  await expect(page.getByTestId("to-create")).toContainText(room);
  await page.getByRole("button", { name: "全部导入" }).click();
  await expect(page.getByText("名录已导入。")).toBeVisible();

  // The mediator-to-be registers in a community of the GBK file.
  const mediator = await newPhone(browser, info, baseURL);
  await register(mediator, mediatorPhone, "海港社区");

  // The room's page: add the mediator.
  await page.goto("/admin/directory");
  await page.getByRole("link", { name: room }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(room);
  await page.getByLabel("手机号").fill(mediatorPhone);
  await page.getByRole("button", { name: "加入" }).click();
  await expect(page.getByText("已加入。")).toBeVisible();
  await expect(page.getByTestId("people")).toContainText(mediatorPhone);

  // A resident registers in the imported community and asks its room.
  const resident = await newPhone(browser, info, baseURL);
  await register(resident, phone(), community);
  await expect(resident.getByRole("heading", { level: 1 })).toHaveText(community);
  await resident.goto("/mediation/new");
  await resident.getByLabel("纠纷类型").selectOption("neighbours");
  await resident.getByLabel("事情经过").fill("新搬来的邻居装修噪音很大，周末早上七点就开始。");
  await resident.getByLabel("对方是谁").fill("隔壁 301 住户");
  await resident.getByLabel("和您的关系").fill("邻居");
  // The resident's own community's room is offered first and chosen already.
  await expect(resident.getByRole("radio", { name: new RegExp(room) })).toBeChecked();
  await resident.getByRole("button", { name: "提交申请" }).click();
  await expect(resident).toHaveURL(/\/mediation\/cases\/ZBS-\d{4}-[2-9A-Z]{6}\?done=requested$/);
  const code = resident.url().match(/ZBS-\d{4}-[2-9A-Z]{6}/)![0];

  // The mediator sees it in their queue.
  await signIn(mediator, mediatorPhone, password);
  await mediator.goto("/mediation/queue");
  await expect(mediator.getByRole("link", { name: new RegExp(code) })).toBeVisible();
});
